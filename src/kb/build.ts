/**
 * Building the knowledge base: read the sources, chunk them, embed only the chunks whose hash the last build does not
 * have (same text, same model: same vector), write the manifest, the vectors and the search graph. `add` keeps the
 * chunks of other documents; `build` keeps only what the given sources hold now.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { chunkText } from './chunk.js';
import type { Embedder, EmbedProgress } from './embed.js';
import { KbError } from './errors.js';
import { GRAPH_FILE, readStoredKb, writeStoredKb } from './files.js';
import { readSources } from './sources.js';
import type { KbChunk, KbDocument, KbManifest } from './types.js';
import { buildVectorIndex } from './vector-index.js';

export interface BuildOptions {
  /** The index folder. */
  dir: string;
  /** Folders and files to read; for `build` without paths, the sources of the last build. */
  paths: string[];
  cwd: string;
  embedder: Embedder;
  /** build: the given sources replace the index's documents; add: they are added (documents with the same id replaced). */
  mode: 'build' | 'add';
  /** Documents that come from elsewhere (imported articles), added to what the paths hold. */
  documents?: KbDocument[];
  chunkTokens?: number;
  onProgress?: (progress: EmbedProgress) => void;
  signal?: AbortSignal;
}

export interface BuildSummary {
  dir: string;
  documents: number;
  chunks: number;
  /** Chunks sent to the embeddings endpoint in this build. */
  embedded: number;
  /** Chunks whose vectors came from the last build. */
  reused: number;
  /** Tokens billed for the embeddings (as the provider reported them). */
  tokens: number;
  dimensions: number;
  /** Bytes written: manifest, vectors and graph. */
  bytes: number;
  version: string;
  index: 'hnsw' | 'exact';
  skipped: string[];
  ms: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export async function buildKb(options: BuildOptions): Promise<BuildSummary> {
  const started = performance.now();
  const { dir, cwd, embedder, mode } = options;
  const previous = await readStoredKb(dir);
  const paths = options.paths.length > 0 ? options.paths : mode === 'build' ? (previous?.manifest.sources ?? []) : [];
  if (paths.length === 0 && !options.documents?.length) {
    throw new KbError('KB_NO_DOCUMENTS', 'No documents to build the knowledge base from.', {
      hint: 'Name the folders or files: `wechat-gpt kb build docs/ faq.md`.',
    });
  }
  const { documents: read, skipped } = await readSources(paths, cwd);
  const documents = [...read, ...(options.documents ?? [])];
  const freshIds = new Set(documents.map((d) => d.id));

  const chunks: KbChunk[] = [];
  if (mode === 'add' && previous) {
    chunks.push(...previous.manifest.chunks.filter((chunk) => !freshIds.has(chunk.docId)));
  }
  for (const document of documents) {
    for (const text of chunkText(document.text, { maxTokens: options.chunkTokens ?? 300 })) {
      chunks.push({
        hash: sha256(`${embedder.model}\n${text}`),
        docId: document.id,
        title: document.title,
        ...(document.url ? { url: document.url } : {}),
        text,
      });
    }
  }
  if (chunks.length === 0) {
    throw new KbError('KB_NO_DOCUMENTS', `No text found in ${paths.join(', ')}.`, {
      hint: 'The knowledge base reads .md, .markdown, .txt, .html and .htm files.',
    });
  }

  // Vectors of the last build, by hash: unchanged chunks are not embedded again.
  const known = new Map<string, Float32Array>();
  if (previous && previous.manifest.model === embedder.model) {
    const { dimensions } = previous.manifest;
    previous.manifest.chunks.forEach((chunk, i) => {
      known.set(chunk.hash, previous.vectors.subarray(i * dimensions, (i + 1) * dimensions));
    });
  }
  const missing = [...new Set(chunks.map((c) => c.hash).filter((hash) => !known.has(hash)))];
  const fresh = new Set(missing);
  const textOf = new Map(chunks.map((c) => [c.hash, c.text]));
  const embedded = await embedder.embed(
    missing.map((hash) => textOf.get(hash) as string),
    {
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  for (const [i, hash] of missing.entries()) known.set(hash, embedded.vectors[i] as Float32Array);

  const dimensions = (known.get(chunks[0]!.hash) as Float32Array).length;
  const vectors = new Float32Array(chunks.length * dimensions);
  chunks.forEach((chunk, i) => {
    const vector = known.get(chunk.hash) as Float32Array;
    if (vector.length !== dimensions) {
      throw new KbError(
        'KB_EMBEDDINGS',
        `The embeddings endpoint returned vectors of ${vector.length} and ${dimensions} dimensions.`,
        {
          hint: 'Keep one llm.embeddingModel for a knowledge base.',
        },
      );
    }
    vectors.set(vector, i * dimensions);
  });

  const manifest: KbManifest = {
    format: 1,
    version: sha256(chunks.map((c) => `${c.hash}:${c.docId}:${c.title}:${c.url ?? ''}`).join('\n')).slice(0, 16),
    model: embedder.model,
    dimensions,
    builtAt: new Date().toISOString(),
    sources: mode === 'add' ? [...new Set([...(previous?.manifest.sources ?? []), ...paths])] : paths,
    chunks,
  };
  const index = buildVectorIndex(vectors, dimensions);
  await writeStoredKb(dir, { manifest, vectors }, index.save ? { save: (path) => index.save?.(path) } : undefined);
  const { stat } = await import('node:fs/promises');
  const sizes = await Promise.all(
    ['manifest.json', 'vectors.f32', ...(index.save ? [GRAPH_FILE] : [])].map((name) => stat(join(dir, name))),
  );
  return {
    dir,
    documents: new Set(chunks.map((c) => c.docId)).size,
    chunks: chunks.length,
    embedded: missing.length,
    reused: chunks.filter((c) => !fresh.has(c.hash)).length,
    tokens: embedded.tokens,
    dimensions,
    bytes: sizes.reduce((sum, s) => sum + s.size, 0),
    version: manifest.version,
    index: index.kind,
    skipped,
    ms: Math.round(performance.now() - started),
  };
}
