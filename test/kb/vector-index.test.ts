/** The HNSW graph and the exact scan (its fallback) agree on the nearest passages; a saved graph opens again. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalise } from '../../src/kb/embed.js';
import { buildVectorIndex, exactIndex, openVectorIndex } from '../../src/kb/vector-index.js';

const DIMENSIONS = 32;
let seed = 1;
const next = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647 - 0.5;
};
const vector = () => normalise(Float32Array.from({ length: DIMENSIONS }, next));

describe('vector index', () => {
  it('finds the same nearest passage as an exact scan, and opens its saved graph', async () => {
    const count = 500;
    const vectors = new Float32Array(count * DIMENSIONS);
    for (let i = 0; i < count; i++) vectors.set(vector(), i * DIMENSIONS);
    // A graph this small is built on one thread: the same graph every run, which finds each passage first.
    const graph = buildVectorIndex(vectors, DIMENSIONS);
    const exact = exactIndex(vectors, DIMENSIONS);
    expect(graph.kind).toBe('hnsw');
    for (let q = 0; q < 20; q++) {
      const query = vectors.slice(q * 7 * DIMENSIONS, (q * 7 + 1) * DIMENSIONS);
      const [top] = exact.search(query, 3);
      expect(top).toMatchObject({ position: q * 7 });
      expect(top?.score).toBeCloseTo(1, 5);
      expect(graph.search(query, 3)[0]?.position).toBe(q * 7);
    }

    const dir = await mkdtemp(join(tmpdir(), 'wechat-gpt-graph-'));
    try {
      graph.save?.(join(dir, 'index.usearch'));
      const opened = openVectorIndex(vectors, DIMENSIONS, join(dir, 'index.usearch'));
      expect(opened.kind).toBe('hnsw');
      expect(opened.search(vectors.slice(0, DIMENSIONS), 1)[0]?.position).toBe(0);
      // A graph of another size (a stale file) is not used: the graph is built again.
      const fewer = vectors.slice(0, 100 * DIMENSIONS);
      expect(
        openVectorIndex(fewer, DIMENSIONS, join(dir, 'index.usearch')).search(fewer.slice(0, DIMENSIONS), 1)[0]
          ?.position,
      ).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('builds a large graph on every core, still finding nearly every passage first', () => {
    const count = 10_001;
    const vectors = new Float32Array(count * DIMENSIONS);
    for (let i = 0; i < count; i++) vectors.set(vector(), i * DIMENSIONS);
    const graph = buildVectorIndex(vectors, DIMENSIONS);
    expect(graph.kind).toBe('hnsw');
    // The first passages linked are the ones a race between threads could leave badly connected: 97–100 of these
    // 100 found themselves in each of 40 builds measured.
    let found = 0;
    for (let position = 0; position < 100; position++) {
      const query = vectors.slice(position * DIMENSIONS, (position + 1) * DIMENSIONS);
      if (graph.search(query, 1)[0]?.position === position) found += 1;
    }
    expect(found).toBeGreaterThanOrEqual(90);
  });
});
