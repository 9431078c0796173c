/** Reading the schema as data: the field at a dotted key, its metadata, and the kind of value it takes. */
import * as z from 'zod';

type AnySchema = z.core.$ZodType;
type Def = {
  type: string;
  innerType?: AnySchema;
  in?: AnySchema;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
};

const defOf = (schema: AnySchema): Def => schema._zod.def as unknown as Def;

/** The wrappers around a field, outermost first (default, optional, prefault, pipe…), ending at the field itself. */
function layers(schema: AnySchema): AnySchema[] {
  const out = [schema];
  for (let current = schema; ; ) {
    const def = defOf(current);
    const next = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (!next) return out;
    out.push(next);
    current = next;
  }
}

/** The schema under all wrappers: an object, a string, a number… */
export function unwrap(schema: AnySchema): AnySchema {
  return layers(schema).at(-1) as AnySchema;
}

/** The metadata given with `.meta()`, from the outermost layer that has some. */
export function metaOf(schema: AnySchema): z.GlobalMeta {
  for (const layer of layers(schema)) {
    const meta = z.globalRegistry.get(layer);
    if (meta) return meta;
  }
  return {};
}

/** The field at a path (`['llm', 'model']`, `['keywords', 0, 'pattern']`), or undefined. */
export function schemaAt(root: AnySchema, path: ReadonlyArray<PropertyKey>): AnySchema | undefined {
  let current: AnySchema | undefined = root;
  for (const part of path) {
    if (!current) return undefined;
    const def = defOf(unwrap(current));
    if (def.type === 'object') current = def.shape?.[String(part)];
    else if (def.type === 'array') current = def.element;
    else return undefined;
  }
  return current;
}

export type ValueKind = 'string' | 'number' | 'boolean' | 'other';

/** What a text from the environment or a flag should become before the schema checks it. */
export function valueKind(schema: AnySchema): ValueKind {
  const type = defOf(unwrap(schema)).type;
  if (type === 'string') return 'string';
  if (type === 'number' || type === 'int') return 'number';
  if (type === 'boolean') return 'boolean';
  return 'other';
}

export interface Leaf {
  key: string;
  schema: AnySchema;
  meta: z.GlobalMeta;
}

/** Every setting that is not an object of settings, in schema order: `wechat.token`, `path`, …, `serve.port`. */
export function leaves(root: AnySchema, prefix = ''): Leaf[] {
  const def = defOf(unwrap(root));
  if (def.type !== 'object' || !def.shape) return [];
  return Object.entries(def.shape).flatMap(([name, child]) => {
    const key = prefix ? `${prefix}.${name}` : name;
    const inner = defOf(unwrap(child));
    return inner.type === 'object' ? leaves(child, key) : [{ key, schema: child, meta: metaOf(child) }];
  });
}

/** The value `.default()` (or `.prefault()`) gives a field, or undefined when it has none. */
export function defaultOf(schema: AnySchema): unknown {
  for (const layer of layers(schema)) {
    const def = layer._zod.def as { type: string; defaultValue?: unknown };
    if (def.type === 'default' || def.type === 'prefault') return def.defaultValue;
  }
  return undefined;
}
