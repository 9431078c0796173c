/**
 * Top-k search over the chunk vectors. The default is usearch's HNSW graph (prebuilt native binaries ship inside the
 * npm package for Linux, macOS and Windows, so nothing is downloaded or compiled at install): a query over 100,000
 * chunks takes about a millisecond where a scan of every vector takes tens (bench/kb.ts). The graph stores vectors
 * as f16: half of f32's memory, and the bench's recall against an exact scan stays near 100 % (i8 quarters the memory
 * but lost about one result in six among close neighbours). Where usearch cannot load, an exact scan over the Float32 vectors answers the same queries, only slower.
 *
 * usearch is an optional dependency (a platform without its prebuilt binary still installs wechat-gpt) and is loaded
 * through require: its ESM entry cannot find its own native build.
 */
import { createRequire } from 'node:module';

export interface Hit {
  /** The chunk's position in the manifest. */
  position: number;
  /** Cosine similarity. */
  score: number;
}

export interface VectorIndex {
  readonly kind: 'hnsw' | 'exact';
  search(query: Float32Array, k: number): Hit[];
  /** Writes the graph to a file (HNSW only). */
  save?(path: string): void;
}

type Usearch = typeof import('usearch');

let usearch: Usearch | null | undefined;
/** usearch, or null when its native build does not load on this platform. */
function loadUsearch(): Usearch | null {
  if (usearch !== undefined) return usearch;
  try {
    usearch = createRequire(import.meta.url)('usearch') as Usearch;
  } catch {
    usearch = null;
  }
  return usearch;
}

/**
 * Up to this many passages the graph is built on one thread: the same graph for the same passages every time, in a
 * few seconds at most (10,000 passages of 1,024 dimensions: 4 s, against 2.6 s on every core of a 2-core machine). On
 * several threads a small graph is linked in the order the threads reach its first passages, and about one build in
 * a hundred of 500 passages left some passages unreachable from their own vector (86 of 100 found themselves in the
 * worst of 300 builds, where one thread finds them all); builds of 10,000 found 97–100 of 100 in every one of 40.
 */
const ONE_THREAD_UP_TO = 10_000;

/**
 * An HNSW graph of `vectors` (chunks × dimensions), or the exact scan where usearch is unavailable. `threads`: 0 for
 * every core; by default one thread for a graph of up to 10,000 passages, every core past that.
 */
export function buildVectorIndex(
  vectors: Float32Array,
  dimensions: number,
  { threads }: { threads?: number } = {},
): VectorIndex {
  const lib = loadUsearch();
  const count = vectors.length / dimensions;
  if (!lib || count === 0) return exactIndex(vectors, dimensions);
  const graph = newGraph(lib, dimensions);
  graph.add(
    BigUint64Array.from({ length: count }, (_, i) => BigInt(i)),
    vectors,
    threads ?? (count <= ONE_THREAD_UP_TO ? 1 : 0),
  );
  return graphIndex(graph);
}

/** The graph saved by a build (index.usearch), or the exact scan when it cannot be used. */
export function openVectorIndex(vectors: Float32Array, dimensions: number, graphPath: string): VectorIndex {
  const lib = loadUsearch();
  const count = vectors.length / dimensions;
  if (!lib || count === 0) return exactIndex(vectors, dimensions);
  try {
    const graph = newGraph(lib, dimensions);
    graph.load(graphPath);
    if (graph.size() === count) return graphIndex(graph);
  } catch {
    // A missing or stale graph: build it again below.
  }
  return buildVectorIndex(vectors, dimensions);
}

function newGraph(lib: Usearch, dimensions: number) {
  // A shallow build search (expansion_add) makes building 100k passages take minutes, not tens of minutes; a deeper
  // query search (expansion_search) keeps recall up, at well under a millisecond per query.
  return new lib.Index({
    dimensions,
    metric: lib.MetricKind.Cos,
    quantization: lib.ScalarKind.F16,
    connectivity: 16,
    expansion_add: 40,
    expansion_search: 128,
    multi: false,
  });
}

function graphIndex(graph: InstanceType<Usearch['Index']>): VectorIndex {
  return {
    kind: 'hnsw',
    search(query, k) {
      const found = graph.search(query, Math.min(k, graph.size()), 1);
      return Array.from(found.keys, (key, i) => ({ position: Number(key), score: 1 - (found.distances[i] ?? 1) }));
    },
    save: (path) => graph.save(path),
  };
}

/** Every vector, one dot product each (the vectors are normalised). */
export function exactIndex(vectors: Float32Array, dimensions: number): VectorIndex {
  const count = vectors.length / dimensions;
  return {
    kind: 'exact',
    search(query, k) {
      const best: Hit[] = [];
      for (let position = 0; position < count; position++) {
        let score = 0;
        const offset = position * dimensions;
        for (let d = 0; d < dimensions; d++) score += (query[d] as number) * (vectors[offset + d] as number);
        if (best.length < k || score > (best.at(-1) as Hit).score) {
          best.push({ position, score });
          best.sort((a, b) => b.score - a.score);
          if (best.length > k) best.pop();
        }
      }
      return best;
    },
  };
}
