/**
 * Checks a value against the subset of JSON Schema that schema/wechat-gpt.config.schema.json uses, so the file editors
 * complete against is the same file the loader enforces. Reports the first problem, in words a person can act on.
 */

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  oneOf?: JsonSchema[];
  $ref?: string;
  definitions?: Record<string, JsonSchema>;
}

export interface SchemaProblem {
  /** Dotted path with indices: `keywords[0].reply.content`; empty for the root. */
  path: string;
  message: string;
}

export interface SchemaCheckOptions {
  /** Paths checked elsewhere with better messages (their values are still type-checked). */
  skipFormatAt?: ReadonlySet<string>;
}

export function checkSchema(
  value: unknown,
  root: JsonSchema,
  options: SchemaCheckOptions = {},
): SchemaProblem | undefined {
  return check(value, root, '', root, options);
}

function check(
  value: unknown,
  schema: JsonSchema,
  path: string,
  root: JsonSchema,
  options: SchemaCheckOptions,
): SchemaProblem | undefined {
  if (schema.$ref) return check(value, resolveRef(schema.$ref, root), path, root, options);
  if (schema.oneOf) return checkOneOf(value, schema.oneOf, path, root, options);

  const fail = (message: string): SchemaProblem => ({ path, message });
  if ('const' in schema && value !== schema.const)
    return fail(`must be ${JSON.stringify(schema.const)} (got ${show(value)})`);
  if (schema.type && !matchesType(value, schema.type))
    return fail(`must be ${typeName(schema.type)} (got ${show(value)})`);
  if (schema.enum && !schema.enum.includes(value)) {
    return fail(`must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')} (got ${show(value)})`);
  }

  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      return fail(`must be at least ${schema.minimum} (got ${value})`);
    if (schema.maximum !== undefined && value > schema.maximum)
      return fail(`must be at most ${schema.maximum} (got ${value})`);
  }

  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) {
      return fail(schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters`);
    }
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      return fail(`must be at most ${schema.maxLength} characters`);
    }
    if (!options.skipFormatAt?.has(path)) {
      if (schema.pattern && !new RegExp(schema.pattern).test(value)) {
        return fail(`must match ${schema.pattern} (got ${show(value)})`);
      }
      if (schema.format === 'uri' && !isHttpUrl(value)) return fail(`must be a full http(s) URL (got ${show(value)})`);
    }
  }

  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      return fail(`needs at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`);
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      return fail(`takes at most ${schema.maxItems} items (got ${value.length})`);
    }
    if (schema.items) {
      for (let i = 0; i < value.length; i++) {
        const problem = check(value[i], schema.items, `${path}[${i}]`, root, options);
        if (problem) return problem;
      }
    }
  }

  if (isPlainObject(value)) {
    for (const name of schema.required ?? []) {
      if (!(name in value)) return fail(`needs "${name}"`);
    }
    const properties = schema.properties ?? {};
    for (const [name, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${name}` : name;
      const childSchema = properties[name];
      if (!childSchema) {
        if (schema.additionalProperties === false) {
          const suggestion = closest(name, Object.keys(properties));
          return {
            path: childPath,
            message: `is not a setting${suggestion ? `; did you mean ${path ? `${path}.` : ''}${suggestion}?` : ''}`,
          };
        }
        continue;
      }
      const problem = check(child, childSchema, childPath, root, options);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** Our unions are tagged by a `type` const, so pick the branch by tag and report that branch's problem. */
function checkOneOf(
  value: unknown,
  branches: JsonSchema[],
  path: string,
  root: JsonSchema,
  options: SchemaCheckOptions,
): SchemaProblem | undefined {
  const tags = branches.map((b) => b.properties?.type?.const).filter((t) => t !== undefined);
  if (!isPlainObject(value)) return { path, message: `must be an object with "type" (got ${show(value)})` };
  const branch = branches.find((b) => b.properties?.type?.const === value.type);
  if (!branch) {
    return {
      path: path ? `${path}.type` : 'type',
      message: `must be one of ${tags.map((t) => JSON.stringify(t)).join(', ')} (got ${show(value.type)})`,
    };
  }
  return check(value, branch, path, root, options);
}

function resolveRef(ref: string, root: JsonSchema): JsonSchema {
  const name = ref.replace(/^#\/definitions\//, '');
  const target = root.definitions?.[name];
  if (!target) throw new Error(`schema: unknown $ref ${ref}`);
  return target;
}

function matchesType(value: unknown, type: string | string[]): boolean {
  const types = Array.isArray(type) ? type : [type];
  return types.some((t) => {
    switch (t) {
      case 'string':
        return typeof value === 'string';
      case 'number':
        return typeof value === 'number' && Number.isFinite(value);
      case 'integer':
        return typeof value === 'number' && Number.isInteger(value);
      case 'boolean':
        return typeof value === 'boolean';
      case 'array':
        return Array.isArray(value);
      case 'object':
        return isPlainObject(value);
      case 'null':
        return value === null;
      default:
        return false;
    }
  });
}

function typeName(type: string | string[]): string {
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    integer: 'a whole number',
    boolean: 'true or false',
    array: 'a list ([…])',
    object: 'an object ({…})',
    null: 'null',
  };
  return (Array.isArray(type) ? type : [type]).map((t) => names[t] ?? t).join(' or ');
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…"` : text;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The candidate within edit distance 2 (or a case-insensitive match), for "did you mean". */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    if (candidate.toLowerCase() === word.toLowerCase()) return candidate;
    const d = editDistance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
