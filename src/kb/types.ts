/** The knowledge base's shapes: source documents, chunks of them, the manifest on disk and retrieved passages. */

/** One source document, as read from a file (or an imported article), turned into plain text. */
export interface KbDocument {
  /** Stable id: the path relative to the folder it came from, or `article:<id>`. */
  id: string;
  title: string;
  /** A link to the document (an article's URL), when there is one. */
  url?: string;
  text: string;
}

/** A passage of a document: what is embedded and what the model reads. */
export interface KbChunk {
  /** sha256 of the embedding model and the text: the same text under the same model is embedded once. */
  hash: string;
  docId: string;
  title: string;
  url?: string;
  text: string;
}

/** `.wechat-gpt/kb/manifest.json`: the chunks in the order of their vectors in vectors.f32. */
export interface KbManifest {
  format: 1;
  /** Changes whenever the set of chunks changes: answers cached under another version are not reused. */
  version: string;
  model: string;
  dimensions: number;
  builtAt: string;
  /** The folders and files the last build read (a build without paths reads them again). */
  sources: string[];
  chunks: KbChunk[];
}

/** A chunk found for a question, with its cosine similarity (1 is the same direction). */
export interface Passage extends KbChunk {
  score: number;
}
