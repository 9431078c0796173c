/** The `moderation` settings: word lists for questions and answers, for questions and answers. */
import * as z from 'zod';
import { httpUrl, ms } from './fields.js';

const wordListSchema = z
  .strictObject({
    name: z.string().trim().min(1).meta({ description: 'Named in logs and counts when one of its words matches.' }),
    file: z.string().trim().min(1).optional().meta({
      description:
        'A text file: one word or phrase per line, # comments, blank lines ignored (relative to the working directory).',
    }),
    words: z.array(z.string()).default([]).meta({ description: 'Words written here, added to the file’s.' }),
  })
  .meta({ description: 'One word list.' });

export const moderationSchema = z
  .strictObject({
    lists: z.array(wordListSchema).default([]).meta({
      description:
        'Word lists (敏感词), matched after folding 全角/半角, case and separators between characters (敏*感*词).',
    }),
    questions: z.enum(['block', 'off']).default('block').meta({
      description: 'block: a question (text or voice) with a listed word gets texts.questionBlocked and no model call.',
    }),
    answers: z.enum(['mask', 'block', 'off']).default('mask').meta({
      description:
        "mask: listed words in the model's answer become ＊; block: the answer is replaced with texts.answerBlocked. Checked before any page is delivered.",
    }),
    provider: z.enum(['none', 'openai']).default('none').meta({
      description:
        "openai: also ask OpenAI's moderation endpoint (moderation.openai), within its time limit. Flagged answers are blocked (there is nothing to mask).",
    }),
    openai: z
      .strictObject({
        model: z.string().min(1).default('omni-moderation-latest').meta({ description: 'The moderation model.' }),
        baseUrl: httpUrl().optional().meta({
          description:
            'Where the endpoint lives (default: llm.baseUrl, else OpenAI). Set https://api.openai.com/v1 to moderate with OpenAI while another service answers.',
        }),
        apiKey: z.string().trim().min(1).optional().meta({
          description: 'API key for the endpoint (default: llm.apiKey).',
          env: 'MODERATION_API_KEY',
          secret: true,
        }),
        check: z
          .enum(['answers', 'questions', 'both'])
          .default('answers')
          .meta({ description: 'What the endpoint checks.' }),
        timeoutMs: ms(1500, 1, "How long one check may take (WeChat's 5-second rule comes first)"),
        onTimeout: z.enum(['allow', 'block']).default('allow').meta({
          description: 'What a check that timed out or failed means (logged either way).',
        }),
      })
      .prefault({})
      .meta({ description: "OpenAI's moderation endpoint (provider: openai)." }),
  })
  .meta({ description: 'Content safety: word lists checked on questions and answers.' });
