/**
 * What stands between a message and the model: moderation of the question before the call (a refusal, no call) and
 * of the whole answer after it, before the answer is paged — so the passive reply, the outbox and a push all carry
 * the checked text.
 */
import type { Moderation } from '../moderation/index.js';
import type { ChatContentPart } from '../store/types.js';
import type { AnswerWithModel, ChatAnswer } from './chat.js';

export interface ModelGateOptions {
  answerWithModel: AnswerWithModel;
  moderation: Moderation;
}

/** The text the user wrote (or said), without the image parts. */
function questionText(content: Parameters<AnswerWithModel>[1]): string {
  if (typeof content === 'string') return content;
  return content
    .filter((part): part is Extract<ChatContentPart, { type: 'text' }> => part.type === 'text')
    .map((part) => part.text)
    .join('\n');
}

export function gateModel({ answerWithModel, moderation }: ModelGateOptions): AnswerWithModel {
  if (!moderation.enabled) return answerWithModel;
  return async function answerThroughGate(openid, content): Promise<ChatAnswer> {
    const question = moderation.checkQuestion(questionText(content));
    if (question.kind === 'block') return { text: question.text, source: 'moderation', meta: {} };
    const answer = await answerWithModel(openid, content);
    if (answer.source !== 'llm') return answer;
    const checked = moderation.checkAnswer(answer.text);
    if (checked.kind === 'allow') return answer;
    return {
      ...answer,
      text: checked.text,
      ...(checked.kind === 'block' ? { source: 'moderation' } : {}),
      meta: { ...answer.meta, moderation: checked.kind },
    };
  };
}
