/**
 * The knowledge base the bot answers from: loaded once at start from the index folder, read-only, shared by every
 * message. Retrieval embeds the question (one request to the embeddings endpoint) and searches the graph; it is
 * bounded by a timeout so it always fits inside WeChat's 5 seconds, and a failure means answering without it.
 */
import { join } from 'node:path';
import type { Embedder } from './embed.js';
import { KbError } from './errors.js';
import { GRAPH_FILE, readStoredKb } from './files.js';
import type { KbManifest, Passage } from './types.js';
import { openVectorIndex, type VectorIndex } from './vector-index.js';

export interface RetrieveOptions {
  /** Passages to return (default 4). */
  topK?: number;
  /** Passages below this cosine similarity are left out (default 0). */
  minScore?: number;
  signal?: AbortSignal;
}

export interface Retrieval {
  passages: Passage[];
  /** The question's embedding (normalised): the semantic answer cache compares it with earlier questions'. */
  vector: Float32Array;
  /** Time to embed the question and search, ms. */
  embedMs: number;
  searchMs: number;
}

export interface Knowledge {
  /** The build's version: answers cached under another version are not reused. */
  readonly version: string;
  readonly chunks: number;
  readonly documents: number;
  readonly index: VectorIndex['kind'];
  readonly model: string;
  retrieve(question: string, options?: RetrieveOptions): Promise<Retrieval>;
  /** Search with a vector already embedded (the bench, tests). */
  search(vector: Float32Array, options?: Omit<RetrieveOptions, 'signal'>): Passage[];
}

export async function loadKnowledge({ dir, embedder }: { dir: string; embedder: Embedder }): Promise<Knowledge> {
  const stored = await readStoredKb(dir);
  if (!stored) {
    throw new KbError('KB_MISSING', `No knowledge base in ${dir}.`, {
      hint: 'Build one with `wechat-gpt kb build <folders>`, or point kb.dir at the folder it was built in.',
    });
  }
  return fromStored(
    stored.manifest,
    openVectorIndex(stored.vectors, stored.manifest.dimensions, join(dir, GRAPH_FILE)),
    embedder,
  );
}

export function fromStored(manifest: KbManifest, index: VectorIndex, embedder: Embedder): Knowledge {
  if (embedder.model !== manifest.model) {
    throw new KbError('KB_INVALID', `The knowledge base was built with ${manifest.model}, not ${embedder.model}.`, {
      hint: 'Set llm.embeddingModel back, or run `wechat-gpt kb build` again with the new model.',
    });
  }
  const search = (vector: Float32Array, { topK = 4, minScore = 0 }: Omit<RetrieveOptions, 'signal'> = {}) =>
    index
      .search(vector, topK)
      .filter((hit) => hit.score >= minScore)
      .map((hit) => ({ ...(manifest.chunks[hit.position] as KbManifest['chunks'][number]), score: hit.score }));
  return {
    version: manifest.version,
    chunks: manifest.chunks.length,
    documents: new Set(manifest.chunks.map((c) => c.docId)).size,
    index: index.kind,
    model: manifest.model,
    search,
    async retrieve(question, options = {}) {
      const started = performance.now();
      const { vectors } = await embedder.embed([question], options.signal ? { signal: options.signal } : {});
      const embedded = performance.now();
      const vector = vectors[0] as Float32Array;
      const passages = search(vector, options);
      return {
        passages,
        vector,
        embedMs: Math.round(embedded - started),
        searchMs: Math.round((performance.now() - embedded) * 100) / 100,
      };
    },
  };
}
