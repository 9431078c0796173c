/**
 * The knowledge base: how fast passages are chunked and indexed, how long top-k search takes at 10,000 and 100,000
 * passages (the HNSW graph the bot uses, and an exact scan for comparison), how often the graph finds the exact top
 * results, and what a passage costs in memory. Vectors are synthetic but shaped like embeddings (unit vectors around
 * a few hundred topics), at text-embedding-3-small's 1536 dimensions unless told otherwise. Embedding itself is the
 * provider's time and money (`kb build` prints it) and is left out.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunkText } from '../src/kb/chunk.js';
import { normalise } from '../src/kb/embed.js';
import { buildVectorIndex, exactIndex, openVectorIndex } from '../src/kb/vector-index.js';
import { type Cell, fixed, markdownTable } from './table.js';

export interface KbBenchOptions {
  sizes: number[];
  dimensions: number;
  queries: number;
}

/** A seeded generator (mulberry32), so every run indexes the same vectors. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function unitVector(dimensions: number, next: () => number): Float32Array {
  return normalise(Float32Array.from({ length: dimensions }, () => next() - 0.5));
}

/**
 * Passages shaped like embeddings: each a mix of one of 300 topics and its own direction (same-topic passages have a
 * cosine of about 0.35, others about 0), so there is structure to find without hundreds of exact ties.
 */
function syntheticVectors(count: number, dimensions: number, seed: number): Float32Array {
  const next = random(seed);
  const topics = Array.from({ length: 300 }, () => unitVector(dimensions, next));
  const vectors = new Float32Array(count * dimensions);
  for (let i = 0; i < count; i++) {
    const topic = topics[Math.floor(next() * topics.length)] as Float32Array;
    const own = unitVector(dimensions, next);
    vectors.set(
      normalise(Float32Array.from(topic, (value, d) => 0.6 * value + 0.8 * (own[d] as number))),
      i * dimensions,
    );
  }
  return vectors;
}

/** Questions about one passage each: the passage's vector moved by a random direction (cosine about 0.8). */
function questionsAbout(
  vectors: Float32Array,
  dimensions: number,
  count: number,
): { target: number; vector: Float32Array }[] {
  const next = random(99);
  const passages = vectors.length / dimensions;
  return Array.from({ length: count }, () => {
    const target = Math.floor(next() * passages);
    const noise = unitVector(dimensions, next);
    const vector = normalise(
      Float32Array.from(
        vectors.subarray(target * dimensions, (target + 1) * dimensions),
        (value, d) => 0.8 * value + 0.6 * (noise[d] as number),
      ),
    );
    return { target, vector };
  });
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
};

function chunkingThroughput(): Cell[] {
  const paragraph =
    '本店周一至周五上午九点开门，晚上九点关门。周六和周日上午十点开门，晚上八点关门。收到商品七天内可以无理由退货。' +
    'Orders placed before 4 pm ship the same day; shipping is free for orders over 99 yuan. ';
  const document = Array.from({ length: 200 }, () => paragraph.repeat(3)).join('\n\n');
  const started = performance.now();
  let passages = 0;
  for (let i = 0; i < 20; i++) passages += chunkText(document).length;
  const seconds = (performance.now() - started) / 1000;
  return ['chunking (300-token passages, Chinese + English)', Math.round(passages / seconds), 'passages/s'];
}

export async function benchKb({ sizes, dimensions, queries }: KbBenchOptions): Promise<{ markdown: string }> {
  const throughput: Cell[][] = [chunkingThroughput()];
  const search: Cell[][] = [];
  const memory: Cell[][] = [];
  const work = await mkdtemp(join(tmpdir(), 'wechat-gpt-bench-kb-'));
  try {
    for (const size of sizes) {
      const vectors = syntheticVectors(size, dimensions, size);
      const started = performance.now();
      const built = buildVectorIndex(vectors, dimensions);
      const buildSec = (performance.now() - started) / 1000;
      throughput.push([
        `HNSW graph build, ${size.toLocaleString('en')} passages`,
        Math.round(size / buildSec),
        'passages/s',
      ]);
      const path = join(work, `graph-${size}.usearch`);
      built.save?.(path);
      const graphBytes = (await stat(path)).size;

      const before = process.memoryUsage().rss;
      const index = openVectorIndex(vectors, dimensions, path);
      const rssBytes = process.memoryUsage().rss - before;
      const exact = exactIndex(vectors, dimensions);
      const questions = questionsAbout(vectors, dimensions, queries);
      const k = 4;
      for (let q = 0; q < 20; q++) index.search((questions[q] as { vector: Float32Array }).vector, k); // warm-up
      const graphMs: number[] = [];
      const exactMs: number[] = [];
      let found = 0;
      let targetsFound = 0;
      for (const [q, { target, vector }] of questions.entries()) {
        let t = performance.now();
        const hits = index.search(vector, k);
        graphMs.push(performance.now() - t);
        if (hits.some((hit) => hit.position === target)) targetsFound++;
        if (q >= 50) continue;
        t = performance.now();
        const truth = exact.search(vector, k);
        exactMs.push(performance.now() - t);
        const expected = new Set(truth.map((hit) => hit.position));
        found += hits.filter((hit) => expected.has(hit.position)).length;
      }
      const checked = Math.min(queries, 50) * k;
      search.push([
        size.toLocaleString('en'),
        `${index.kind}`,
        fixed(percentile(graphMs, 0.5), 3),
        fixed(percentile(graphMs, 0.99), 3),
        fixed(percentile(exactMs, 0.5), 1),
        `${fixed((100 * found) / checked, 1)} %`,
        `${fixed((100 * targetsFound) / queries, 1)} %`,
      ]);
      memory.push([
        size.toLocaleString('en'),
        Math.round(graphBytes / size),
        Math.round(Math.max(0, rssBytes) / size),
        dimensions * 4,
      ]);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const markdown = [
    markdownTable(['work', 'rate', 'unit'], throughput),
    '',
    markdownTable(
      [
        'passages',
        'index',
        'search p50 ms',
        'search p99 ms',
        'exact scan p50 ms',
        'recall@4 vs exact',
        'asked-about passage in top 4',
      ],
      search,
    ),
    '',
    markdownTable(
      ['passages', 'graph bytes/passage', 'RSS bytes/passage (graph loaded)', 'vectors.f32 bytes/passage'],
      memory,
    ),
  ].join('\n');
  return { markdown };
}
