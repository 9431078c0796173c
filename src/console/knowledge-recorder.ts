/**
 * The knowledge base as the console sees it: each retrieval (the question, the passages with their scores, the time
 * it took) handed to the console, which shows it in the message's detail. The bot uses what this returns instead of
 * the knowledge base itself; answers are unchanged.
 */
import type { Knowledge } from '../kb/knowledge.js';
import type { KnowledgeRetrieval } from './types.js';

/** What the detail pane shows of a passage: enough to tune kb.minScore and kb.topK. */
const EXCERPT_CHARS = 300;

export function recordRetrievals(
  knowledge: Knowledge,
  { onRetrieval, now = Date.now }: { onRetrieval: (retrieval: KnowledgeRetrieval) => void; now?: () => number },
): Knowledge {
  return {
    ...knowledge,
    async retrieve(question, options) {
      const at = now();
      try {
        const retrieval = await knowledge.retrieve(question, options);
        onRetrieval({
          question,
          at,
          embedMs: retrieval.embedMs,
          searchMs: retrieval.searchMs,
          passages: retrieval.passages.map(({ title, url, score, text }) => ({
            title,
            ...(url ? { url } : {}),
            score,
            text: text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text,
          })),
        });
        return retrieval;
      } catch (error) {
        onRetrieval({ question, at, embedMs: now() - at, searchMs: 0, passages: [], error: (error as Error).message });
        throw error;
      }
    },
  };
}
