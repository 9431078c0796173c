/**
 * The index on disk, in one folder (default .wechat-gpt/kb/): manifest.json (the chunks, their texts and hashes),
 * vectors.f32 (the normalised vectors, little-endian Float32, in the manifest's order) and index.usearch (the HNSW
 * graph built from them). Files are written to a temporary name and renamed, so a reader never sees half a build.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KbError } from './errors.js';
import type { KbManifest } from './types.js';

export const DEFAULT_KB_DIR = '.wechat-gpt/kb';
export const MANIFEST_FILE = 'manifest.json';
export const VECTORS_FILE = 'vectors.f32';
export const GRAPH_FILE = 'index.usearch';

export interface StoredKb {
  manifest: KbManifest;
  /** All vectors, one after another (chunks × dimensions). */
  vectors: Float32Array;
}

/** The stored index, or undefined when the folder has none yet. */
export async function readStoredKb(dir: string): Promise<StoredKb | undefined> {
  let raw: string;
  try {
    raw = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const manifest = JSON.parse(raw) as KbManifest;
  if (manifest.format !== 1 || !Array.isArray(manifest.chunks)) {
    throw new KbError('KB_INVALID', `${join(dir, MANIFEST_FILE)} is not a knowledge base manifest.`, {
      hint: 'Run `wechat-gpt kb build <folders>` to build it again.',
    });
  }
  const bytes = await readFile(join(dir, VECTORS_FILE));
  const vectors = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  if (vectors.length !== manifest.chunks.length * manifest.dimensions) {
    throw new KbError('KB_INVALID', `${join(dir, VECTORS_FILE)} does not match the manifest.`, {
      hint: 'The build was interrupted or the files were mixed up: run `wechat-gpt kb build` again.',
    });
  }
  return { manifest, vectors };
}

/** Writes a build; `graph` saves the search graph to the path it is given. */
export async function writeStoredKb(
  dir: string,
  { manifest, vectors }: StoredKb,
  graph?: { save(path: string): void },
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const put = async (name: string, data: string | Uint8Array) => {
    await writeFile(join(dir, `${name}.tmp`), data);
    return name;
  };
  const written = [await put(VECTORS_FILE, new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength))];
  if (graph) {
    graph.save(join(dir, `${GRAPH_FILE}.tmp`));
    written.push(GRAPH_FILE);
  }
  written.push(
    // The manifest last: its version names the set of vectors that goes with it.
    await put(MANIFEST_FILE, `${JSON.stringify(manifest)}\n`),
  );
  for (const name of written) await rename(join(dir, `${name}.tmp`), join(dir, name));
}
