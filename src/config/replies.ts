/** What the bot answers from configuration: keyword rules (with their replies) and the texts users see. */
import * as z from 'zod';
import { defaultTexts, textDescriptions } from './texts.js';

const article = z.strictObject({
  title: z.string(),
  description: z.string().optional(),
  picUrl: z.url().optional(),
  url: z.url().optional(),
});

export const ruleReplySchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), content: z.string().min(1) }),
  z.strictObject({ type: z.literal('news'), articles: z.array(article).min(1).max(8) }),
  z.strictObject({ type: z.literal('image'), mediaId: z.string().min(1) }),
]);

export const keywordRuleSchema = z
  .strictObject({
    match: z.enum(['exact', 'contains', 'regex']).meta({
      description:
        'exact: the whole message (trimmed, case-insensitive); contains: anywhere; regex: a JavaScript pattern.',
    }),
    pattern: z.string().min(1),
    reply: ruleReplySchema,
    menu: z
      .boolean()
      .optional()
      .meta({ description: 'Also answer menu CLICK events whose EventKey matches (default true).' }),
  })
  // Compiled the way the bot compiles it, so a bad pattern fails at start, not on a user's message.
  .superRefine((rule, ctx) => {
    if (rule.match !== 'regex') return;
    try {
      new RegExp(rule.pattern, 'iu');
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        path: ['pattern'],
        input: rule.pattern,
        message: `is not a valid regular expression: ${(error as Error).message}`,
        params: {
          hint: 'Fix the regular expression (JavaScript syntax; in JSON, write \\\\d for \\d), or use "match": "contains".',
        },
      });
    }
  });

type TextKey = Exclude<keyof typeof defaultTexts, 'llmErrors'>;
type LlmErrorKey = keyof typeof defaultTexts.llmErrors;

function textFields<K extends string>(
  defaults: Record<K, string>,
  describe: Partial<Record<K, string>> = {},
): { [P in K]: z.ZodDefault<z.ZodString> } {
  const entries = (Object.keys(defaults) as K[]).map((key) => {
    const field = z.string().default(defaults[key]);
    const description = describe[key];
    return [key, description ? field.meta({ description }) : field] as const;
  });
  return Object.fromEntries(entries) as { [P in K]: z.ZodDefault<z.ZodString> };
}

const { llmErrors: defaultLlmErrors, ...defaultPlainTexts } = defaultTexts;

export const textsSchema = z
  .strictObject({
    ...textFields<TextKey>(defaultPlainTexts, textDescriptions),
    llmErrors: z
      .strictObject(textFields<LlmErrorKey>(defaultLlmErrors))
      .prefault({})
      .meta({ description: 'The friendly texts for each kind of model failure.' }),
  })
  .meta({ description: 'What the bot says to WeChat users (welcome, notices, errors).' });
