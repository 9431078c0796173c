/**
 * The knowledge base serve answers from: the index in kb.dir (relative to the working folder) when one was built
 * there, else none. Every instance of a deployment loads the same folder (a shared volume, or the image it was
 * built into); after `kb build`, restart the instances to load the new version.
 */
import { resolve } from 'node:path';
import { createEmbedder } from './embed.js';
import { MANIFEST_FILE } from './files.js';
import { type Knowledge, loadKnowledge } from './knowledge.js';

export interface ServeKnowledgeSettings {
  kb: { dir: string };
  llm: { apiKey?: string | undefined; baseUrl?: string | undefined; embeddingModel: string };
}

/** The loaded knowledge base (its summary line handed to `report`), or undefined when none was built. */
export async function loadServeKnowledge(
  config: ServeKnowledgeSettings,
  cwd: string,
  report: (line: string) => void,
): Promise<Knowledge | undefined> {
  const dir = resolve(cwd, config.kb.dir);
  const { existsSync } = await import('node:fs');
  if (!existsSync(resolve(dir, MANIFEST_FILE))) return undefined;
  const embedder = createEmbedder({
    ...(config.llm.apiKey ? { apiKey: config.llm.apiKey } : {}),
    ...(config.llm.baseUrl ? { baseUrl: config.llm.baseUrl } : {}),
    model: config.llm.embeddingModel,
    maxRetries: 0,
  });
  const knowledge = await loadKnowledge({ dir, embedder });
  report(
    `Knowledge base: ${knowledge.documents} documents, ${knowledge.chunks} passages (version ${knowledge.version}, ${knowledge.index}) from ${config.kb.dir}`,
  );
  return knowledge;
}
