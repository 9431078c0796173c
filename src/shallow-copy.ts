/**
 * A shallow copy, with fields replaced, whose hidden class is shared with the other copies of the same shape. On Node
 * 20 (V8 11.3) an object spread at a site that has seen more than a few shapes gives every copy a hidden class of its
 * own: a new map and descriptor array per call, kept as long as the copy (a stored answer: minutes), and every later
 * read of such an object megamorphic. Object.assign follows the shared transitions instead. For the hot path's copies
 * of records of varying shape (job records, answers, their meta); a spread is fine where the shape is always the same.
 */
export function shallowCopy<T extends object>(source: T): T;
export function shallowCopy<T extends object, U extends object>(source: T, fields: U): Omit<T, keyof U> & U;
export function shallowCopy(source: object, fields?: object): object {
  return fields === undefined ? Object.assign({}, source) : Object.assign({}, source, fields);
}
