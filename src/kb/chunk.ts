/**
 * Splits a document's text into passages at paragraph and sentence boundaries (Intl.Segmenter, which knows Chinese
 * punctuation), each up to a token budget sized by estimateTokens: a Chinese character counts about one token, four
 * English characters about one, so one budget suits both. A sentence longer than the budget is cut at words.
 */
import { estimateTokens } from '../bot/history.js';

export interface ChunkOptions {
  /** The most tokens in one passage (default 300). */
  maxTokens?: number;
}

const sentences = new Intl.Segmenter('zh', { granularity: 'sentence' });
const words = new Intl.Segmenter('zh', { granularity: 'word' });

export function chunkText(text: string, { maxTokens = 300 }: ChunkOptions = {}): string[] {
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.replace(/[ \t]+/g, ' ').trim())
    .filter(Boolean);
  const pieces = paragraphs.flatMap((paragraph) => splitParagraph(paragraph, maxTokens));
  const chunks: string[] = [];
  let current = '';
  for (const piece of pieces) {
    const joined = current ? `${current}\n${piece.text}` : piece.text;
    // A new paragraph may join the passage before it; a passage never ends in the middle of a sentence.
    if (current && estimateTokens(joined) > maxTokens) {
      chunks.push(current);
      current = piece.text;
    } else {
      current = piece.startsParagraph || !current ? joined : `${current}${piece.text}`;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

interface Piece {
  text: string;
  startsParagraph: boolean;
}

/** A paragraph that fits is one piece; a longer one is its sentences, packed later. */
function splitParagraph(paragraph: string, maxTokens: number): Piece[] {
  if (estimateTokens(paragraph) <= maxTokens) return [{ text: paragraph, startsParagraph: true }];
  const parts = [...sentences.segment(paragraph)].map((s) => s.segment).flatMap((s) => cutLong(s, maxTokens));
  return parts.map((text, index) => ({ text, startsParagraph: index === 0 }));
}

/** A sentence over the budget, cut at word boundaries. */
function cutLong(sentence: string, maxTokens: number): string[] {
  if (estimateTokens(sentence) <= maxTokens) return [sentence];
  const out: string[] = [];
  let current = '';
  for (const { segment } of words.segment(sentence)) {
    if (current && estimateTokens(current + segment) > maxTokens) {
      out.push(current);
      current = '';
    }
    current += segment;
  }
  if (current) out.push(current);
  return out;
}
