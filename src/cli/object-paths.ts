/** Dotted paths into plain objects: `llm.model` → config.llm.model. Arrays are leaves. */
import { isPlainObject } from './schema-check.js';

export function getPath(object: Record<string, unknown>, key: string): unknown {
  let current: unknown = object;
  for (const part of key.split('.')) {
    if (!isPlainObject(current)) return undefined;
    current = current[part];
  }
  return current;
}

export function setPath(object: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let current = object;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(current[part])) current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[parts.at(-1) as string] = value;
}

/** Dotted keys of the leaves of an object; arrays count as leaves. */
export function leafKeys(value: unknown, prefix = ''): string[] {
  if (!isPlainObject(value)) return prefix ? [prefix] : [];
  return Object.entries(value).flatMap(([name, child]) =>
    child === undefined ? [] : leafKeys(child, prefix ? `${prefix}.${name}` : name),
  );
}
