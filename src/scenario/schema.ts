/**
 * The shape of a scenario file (YAML): a name, an optional user and the steps, each a message or event with what the
 * user must see. One zod schema gives the types, the validation and the messages that name the wrong key.
 */
import { z } from 'zod';

const text = z.string().min(1);
const texts = z.union([text, z.array(text).min(1)]);
const ms = z.number().int().nonnegative();

/** What the user sees: a reply type, `success` (nothing shown) or WeChat's error page. */
export const SEEN_TYPES = [
  'text',
  'news',
  'image',
  'voice',
  'video',
  'music',
  'transfer_customer_service',
  'success',
  'error-page',
] as const;
export type SeenType = (typeof SEEN_TYPES)[number];

export const expectationSchema = z.strictObject({
  /** The whole text the user sees, exactly. */
  equals: z.string().optional(),
  /** Each of these appears in what the user sees. */
  contains: texts.optional(),
  /** None of these appears. */
  notContains: texts.optional(),
  /** A JavaScript regular expression (`/…/flags` or just the pattern). */
  matches: text
    .refine((pattern) => toRegExp(pattern) !== undefined, { message: 'not a valid regular expression' })
    .optional(),
  type: z.enum(SEEN_TYPES).optional(),
  /** Answered on this attempt or an earlier one. */
  attempt: z.number().int().min(1).max(3).optional(),
  /** Answered within this many ms of the first attempt. */
  withinMs: ms.optional(),
  /** The answer comes in this many 「继续」 pages (1: no page marker). */
  pages: z.number().int().min(1).optional(),
  /** none (default): any rule the reply breaks fails the step; some: it must break one; any: not checked. */
  problems: z.enum(['none', 'some', 'any']).optional(),
});
export type Expectation = z.infer<typeof expectationSchema>;

export const modelScriptSchema = z
  .strictObject({
    /** The model's answer. */
    say: z.string().optional(),
    /** Wait this long before answering. */
    delayMs: ms.optional(),
    /** Answer with this HTTP status instead (429, 500, 503…). */
    fail: z.number().int().min(400).max(599).optional(),
  })
  .refine((script) => script.say !== undefined || script.fail !== undefined, {
    message: 'a model script needs `say` (the answer) or `fail` (an HTTP status)',
  });
export type ModelScript = z.infer<typeof modelScriptSchema>;

const location = z.strictObject({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  label: z.string().optional(),
  scale: z.number().int().optional(),
});

const link = z.strictObject({
  url: z.url(),
  title: z.string().optional(),
  description: z.string().optional(),
});

const common = {
  /** Shown in the report instead of the message. */
  name: text.optional(),
  model: modelScriptSchema.optional(),
  expect: expectationSchema.optional(),
};

const STEP_BRANCHES = {
  send: z.strictObject({ send: text, ...common }),
  event: z.strictObject({ event: text, key: z.string().optional(), ...common }),
  image: z.strictObject({ image: z.url(), ...common }),
  voice: z.strictObject({
    voice: z.union([z.string(), z.strictObject({ recognition: z.string().optional() })]),
    ...common,
  }),
  location: z.strictObject({ location: z.union([text, location]), ...common }),
  link: z.strictObject({ link: z.union([z.url(), link]), ...common }),
  wait: z.strictObject({ wait: ms, name: text.optional() }),
};

/** The key that says what a step does: the first one a step has. */
export const STEP_KINDS = Object.keys(STEP_BRANCHES) as Array<keyof typeof STEP_BRANCHES>;
export type StepKind = keyof typeof STEP_BRANCHES;
export type Step = z.infer<(typeof STEP_BRANCHES)[StepKind]>;

/** The keys each part of a file may have, for "unknown key" messages. */
export const KNOWN_KEYS = {
  expect: Object.keys(expectationSchema.shape),
  model: ['say', 'delayMs', 'fail'],
  step: (kind: StepKind | undefined) => (kind ? Object.keys(STEP_BRANCHES[kind].shape) : STEP_KINDS),
};

/**
 * A step is validated against the one branch its kind names, so a typo inside `expect` is reported as that typo,
 * not as "matches none of 7 shapes" (what a plain union says).
 */
export const stepSchema = z.unknown().transform((value, ctx): Step => {
  const kind = isRecord(value) ? STEP_KINDS.find((name) => name in value) : undefined;
  if (!kind) {
    ctx.addIssue({
      code: 'custom',
      message: `a step needs one of ${STEP_KINDS.join(', ')}`,
      input: value,
    });
    return z.NEVER;
  }
  const result = STEP_BRANCHES[kind].safeParse(value, { error: friendlyError });
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        ctx.addIssue({ code: 'custom', message: unknownKeyMessage(key, issue.path, kind), path: [...issue.path, key] });
      }
    } else {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    }
  }
  return z.NEVER;
});

export function unknownKeyMessage(key: string, path: PropertyKey[], kind?: StepKind): string {
  const owner = path.at(-1);
  const known = owner === 'expect' ? KNOWN_KEYS.expect : owner === 'model' ? KNOWN_KEYS.model : KNOWN_KEYS.step(kind);
  const where = owner === 'expect' || owner === 'model' ? ` in ${String(owner)}` : kind ? ` in a ${kind} step` : '';
  return `unknown key "${key}"${where} (known: ${known.join(', ')})`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type MessageStep = Exclude<Step, { wait: number }>;

export const scenarioSchema = z.strictObject({
  name: text,
  /** The user's openid; default: a fresh one per scenario. */
  user: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'an openid is letters, digits, - and _')
    .optional(),
  steps: z.array(stepSchema).min(1),
});
export type Scenario = z.infer<typeof scenarioSchema>;

/** `/pattern/flags` or a bare pattern; undefined when it does not compile. */
export function toRegExp(pattern: string): RegExp | undefined {
  const literal = /^\/(.+)\/([dgimsuvy]*)$/s.exec(pattern);
  try {
    return literal ? new RegExp(literal[1] as string, literal[2]) : new RegExp(pattern);
  } catch {
    return undefined;
  }
}

export function stepKind(step: Step): StepKind {
  return STEP_KINDS.find((kind) => kind in step) as StepKind;
}

/** Plain words for the common mistakes: a missing key, a wrong type. Other issues keep zod's message. */
export function friendlyError(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'invalid_type') return undefined;
  if (issue.input === undefined) return `missing (a ${issue.expected} is required)`;
  const got = issue.input === null ? 'nothing' : Array.isArray(issue.input) ? 'a list' : `a ${typeof issue.input}`;
  return `expected a ${issue.expected}, got ${got}`;
}
