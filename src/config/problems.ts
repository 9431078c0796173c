/**
 * Zod's issues in words a person can act on: which setting (`limits.maxReplyBytes`), what is wrong with the value
 * (`must be at least 256 (got 100)`), and what to do (the field's hint). Every issue, not only the first.
 */
import leven from 'leven';
import type * as z from 'zod';
import { metaOf, schemaAt, unwrap } from './walk.js';

export interface ConfigProblem {
  /** Dotted, with indices: `keywords[0].pattern`; `config` for the file as a whole. */
  setting: string;
  /** What is wrong, starting lower-case after the setting's name: `must be at least 256 (got 100)`. */
  problem: string;
  hint?: string;
}

/** `['keywords', 0, 'pattern']` → `keywords[0].pattern`. */
export function settingName(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((name, part) => {
    if (typeof part === 'number') return `${name}[${part}]`;
    return name ? `${name}.${String(part)}` : String(part);
  }, '');
}

export function problemsOf(error: z.ZodError, root: z.core.$ZodType): ConfigProblem[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        setting: settingName([...issue.path, key]),
        problem: `is not a setting${suggestion(key, issue.path, root)}`,
        hint: 'Remove it or fix its name; the "$schema" line in wechat-gpt.config.json lets your editor complete names.',
      }));
    }
    const field = schemaAt(root, issue.path);
    const meta = field ? metaOf(field) : {};
    const hint = (issue.code === 'custom' && (issue.params?.hint as string | undefined)) || meta.hint;
    const problem = withInput(issue.message, valueInIssue(issue), meta.secret === true);
    return [{ setting: settingName(issue.path) || 'config', problem, ...(hint ? { hint } : {}) }];
  });
}

function suggestion(key: string, path: ReadonlyArray<PropertyKey>, root: z.core.$ZodType): string {
  const parent = schemaAt(root, path);
  const shape = parent && (unwrap(parent)._zod.def as { shape?: Record<string, unknown> }).shape;
  if (!shape) return '';
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of Object.keys(shape)) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : leven(key, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best ? `; did you mean ${settingName([...path, best])}?` : '';
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: ConfigProblem[] };

/** Checks a value against a schema of ours and reports every problem. */
export function checkConfig<S extends z.ZodType>(schema: S, value: unknown): Checked<z.output<S>> {
  const result = schema.safeParse(value, { reportInput: true, error: issueMessage });
  return result.success ? { ok: true, value: result.data } : { ok: false, problems: problemsOf(result.error, schema) };
}

/** The message of each issue zod raises without one written in the schema: short; withInput adds the value. */
export function issueMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${article(issue.expected)}`;
    case 'too_small':
      return `must be ${issue.inclusive ? 'at least' : 'more than'} ${String(issue.minimum)}${unit(issue.origin)}`;
    case 'too_big':
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}${unit(issue.origin)}`;
    case 'invalid_value':
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      return options?.length ? `must be ${options.map((o) => JSON.stringify(o)).join(', ')}` : 'is not valid';
    }
    default:
      return 'is not valid';
  }
}

function unit(origin: string): string {
  return origin === 'string' ? ' characters' : origin === 'array' ? ' items' : '';
}

/** The value the issue is about: for a tagged union, the tag (`"video"`), not the whole object. */
function valueInIssue(issue: z.core.$ZodIssue): unknown {
  const tag = (issue as { discriminator?: string }).discriminator;
  if (!tag || typeof issue.input !== 'object' || issue.input === null) return issue.input;
  return (issue.input as Record<string, unknown>)[tag];
}

/** A message of ours (`must be a domain name`) with the value appended, as zod's are. */
export function withInput(message: string, input: unknown, secret: boolean): string {
  if (secret || input === undefined || /\(got /.test(message)) return message;
  return `${message} (got ${show(input)})`;
}

function article(expected: string): string {
  const names: Record<string, string> = {
    int: 'a whole number',
    number: 'a number',
    string: 'a text',
    boolean: 'true or false',
    object: 'an object ({…})',
    array: 'a list ([…])',
  };
  return names[expected] ?? expected;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}
