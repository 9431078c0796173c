/** Multi-turn memory: a user's turns bounded by count and by a rough token budget, turned into model messages. */
import type { LlmMessage } from '../llm/types.js';
import type { ChatTurn } from '../store/types.js';

/** What one image costs in the budget: vision models bill a low-detail image at roughly this many tokens. */
const IMAGE_TOKENS = 300;

/** A rough token count: CJK characters are about one token each, other text about four characters a token. */
export function estimateTokens(content: ChatTurn['content']): number {
  if (typeof content !== 'string') {
    return content.reduce((sum, part) => sum + (part.type === 'text' ? estimateTokens(part.text) : IMAGE_TOKENS), 0);
  }
  // Code units, not a string per character: every answer is measured twice per question, the whole history with it.
  let cjk = 0;
  for (let i = 0; i < content.length; i++) {
    const unit = content.charCodeAt(i);
    if (
      (unit >= 0x3000 && unit <= 0x9fff) ||
      (unit >= 0xac00 && unit <= 0xd7af) ||
      (unit >= 0xff00 && unit <= 0xffef)
    ) {
      cjk++;
    }
  }
  return cjk + Math.ceil((content.length - cjk) / 4) + 4;
}

/**
 * Keeps the newest turns: at most maxTurns user/assistant pairs and maxTokens in all. The kept history always starts
 * with a user turn, so the model never sees an answer without its question.
 */
export function boundTurns(
  turns: readonly ChatTurn[],
  { maxTurns, maxTokens }: { maxTurns: number; maxTokens: number },
): ChatTurn[] {
  let kept = turns.slice(-maxTurns * 2);
  let total = kept.reduce((sum, turn) => sum + estimateTokens(turn.content), 0);
  while (kept.length > 0 && total > maxTokens) {
    total -= estimateTokens(kept[0]!.content);
    kept = kept.slice(1);
  }
  while (kept.length > 0 && kept[0]!.role !== 'user') kept = kept.slice(1);
  return kept;
}

export function toLlmMessages(systemPrompt: string, turns: ChatTurn[]): LlmMessage[] {
  const messages: LlmMessage[] = systemPrompt ? [{ role: 'system', content: systemPrompt }] : [];
  for (const turn of turns) {
    messages.push({ role: turn.role, content: turn.content });
  }
  return messages;
}

export function hasImages(turns: ChatTurn[]): boolean {
  return turns.some((turn) => typeof turn.content !== 'string' && turn.content.some((p) => p.type === 'image_url'));
}
