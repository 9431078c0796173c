/**
 * What stands between a message and the model: moderation of the question, then access lists and daily quotas,
 * before the call (a refusal, no call); after it, the tokens spent are counted and the whole answer is moderated
 * before it is paged — so the passive reply, the outbox and a push all carry the checked text.
 */
import type { Moderation } from '../moderation/index.js';
import type { Quotas } from '../quota/index.js';
import type { ChatContentPart } from '../store/types.js';
import type { AnswerWithModel, ChatAnswer } from './chat.js';
import type { DrawImage } from './image-command.js';

export interface ModelGateOptions {
  answerWithModel: AnswerWithModel;
  moderation: Moderation;
  quotas: Quotas;
}

/** The text the user wrote (or said), without the image parts. */
function questionText(content: Parameters<AnswerWithModel>[1]): string {
  if (typeof content === 'string') return content;
  return content
    .filter((part): part is Extract<ChatContentPart, { type: 'text' }> => part.type === 'text')
    .map((part) => part.text)
    .join('\n');
}

export function gateModel({ answerWithModel, moderation, quotas }: ModelGateOptions): AnswerWithModel {
  // Nothing to check before or after: no step between the message and the model.
  if (!moderation.enabled && quotas.open) return answerWithModel;
  return async function answerThroughGate(openid, content): Promise<ChatAnswer> {
    if (moderation.enabled) {
      const question = await moderation.checkQuestion(questionText(content));
      if (question.kind === 'block') return { text: question.text, source: 'moderation', meta: {} };
    }
    if (!quotas.open) {
      const admission = await quotas.admit(openid);
      if (admission.kind === 'refuse')
        return { text: admission.text, source: 'quota', meta: { refused: admission.reason } };
    }
    const answer = await answerWithModel(openid, content);
    if (answer.usage && !quotas.open) {
      await quotas.spend(openid, answer.usage.promptTokens + answer.usage.completionTokens);
    }
    // A cached answer is checked again: the lists may have changed since it was kept.
    if ((answer.source !== 'llm' && answer.source !== 'cache') || !moderation.enabled) return answer;
    const checked = await moderation.checkAnswer(answer.text);
    if (checked.kind === 'allow') return answer;
    return {
      ...answer,
      text: checked.text,
      ...(checked.kind === 'block' ? { source: 'moderation' } : {}),
      meta: { ...answer.meta, moderation: checked.kind },
    };
  };
}

/**
 * The image command's prompt goes to a model too: a prompt with a listed word gets the refusal, and a drawing counts
 * against the user's quotas like a question.
 */
export function gateImages(
  drawImage: DrawImage,
  { moderation, quotas }: Omit<ModelGateOptions, 'answerWithModel'>,
): DrawImage {
  return async function drawThroughGate(command, prompt, openid) {
    if (!prompt || openid === undefined) return drawImage(command, prompt, openid);
    const refusal = (content: string, source: 'moderation' | 'quota') => ({
      reply: { type: 'text' as const, content },
      source,
    });
    if (moderation.enabled) {
      const question = await moderation.checkQuestion(prompt);
      if (question.kind === 'block') return refusal(question.text, 'moderation');
    }
    const admission = await quotas.admit(openid);
    if (admission.kind === 'refuse') return refusal(admission.text, 'quota');
    return drawImage(command, prompt, openid);
  };
}
