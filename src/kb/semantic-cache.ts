/**
 * The semantic side of the answer cache: the embeddings of recent first-turn questions (i8, newest first, at most
 * RECENT of them) kept in one store value, so every instance sees them. A new question close enough to one of them
 * (cosine at or above the threshold) reuses that question's cached answer. Two instances adding at once may drop one
 * entry: for a cache that is fine, and it keeps the store contract as it is (a value with a TTL).
 */

import type { StorePatience } from '../bot/store-patience.js';
import type { Logger } from '../config.js';
import type { Store } from '../store/types.js';

const RECENT = 200;

interface Entry {
  /** The hash of the normalised question: its answer's cache key. */
  h: string;
  /** Its embedding, i8 (value × 127), base64. */
  v: string;
}

export interface SemanticCache {
  /** The hash of the most similar recent question at or above the threshold. */
  find(vector: Float32Array, threshold: number): Promise<string | undefined>;
  remember(hash: string, vector: Float32Array): Promise<void>;
}

const toI8 = (vector: Float32Array) =>
  Buffer.from(Int8Array.from(vector, (value) => Math.round(Math.max(-1, Math.min(1, value)) * 127)).buffer).toString(
    'base64',
  );

function cosine(vector: Float32Array, encoded: string): number {
  const bytes = Buffer.from(encoded, 'base64');
  const other = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (other.length !== vector.length) return -1;
  let dot = 0;
  let norm = 0;
  for (let i = 0; i < other.length; i++) {
    const value = other[i] as number;
    dot += (vector[i] as number) * value;
    norm += value * value;
  }
  return norm === 0 ? -1 : dot / Math.sqrt(norm);
}

export function createSemanticCache({
  store,
  patience,
  logger,
  key,
  ttlMs,
}: {
  store: Store;
  patience: StorePatience;
  logger: Logger;
  key: string;
  ttlMs: number;
}): SemanticCache {
  async function read(): Promise<Entry[]> {
    const raced = await patience.wait(store.getValue(key));
    if (!raced.ok || raced.value === undefined) return [];
    try {
      const parsed: unknown = JSON.parse(raced.value);
      return Array.isArray(parsed) ? (parsed as Entry[]) : [];
    } catch {
      return [];
    }
  }
  return {
    async find(vector, threshold) {
      let best: { hash: string; score: number } | undefined;
      for (const entry of await read()) {
        const score = cosine(vector, entry.v);
        if (score >= threshold && (!best || score > best.score)) best = { hash: entry.h, score };
      }
      if (best) logger.info({ score: Number(best.score.toFixed(3)) }, 'semantic answer cache hit');
      return best?.hash;
    },
    async remember(hash, vector) {
      const entries = (await read()).filter((entry) => entry.h !== hash);
      const next = [{ h: hash, v: toI8(vector) }, ...entries].slice(0, RECENT);
      const written = await patience.wait(store.setValue(key, JSON.stringify(next), ttlMs));
      if (!written.ok)
        logger.warn({ reason: written.reason }, 'could not remember the question for the semantic cache');
    },
  };
}
