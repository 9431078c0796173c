/**
 * One message's work, in order: rate limit, commands, the waiting answer, custom handlers, keyword rules, events,
 * media, and the model. Produces the JobResult that every attempt of the message answers with.
 */
import type { Logger, ResolvedConfig } from '../config.js';
import { DEFAULT_MAX_RETRY_DELAY_MS } from '../llm/client.js';
import type { JobResult, OutboxItem, Store } from '../store/types.js';
import type { InboundMessage, Reply, WechatEvent } from '../wechat/types.js';
import type { AnswerWithModel } from './chat.js';
import { describeLink, describeLocation } from './describe.js';
import { type DrawImage, imagePrompt } from './image-command.js';
import { type CompiledRule, matchMenuKey, matchText } from './keywords.js';
import { paginate, utf8Bytes } from './paging.js';
import { fillTemplate, quote } from './texts.js';
import type { Handler, HandlerContext } from './types.js';
import type { TranscribeVoice } from './voice.js';

export interface PipelineDependencies {
  config: ResolvedConfig;
  store: Store;
  rules: CompiledRule[];
  handlers: Handler[];
  answerWithModel: AnswerWithModel;
  /** Voice without WeChat's Recognition. */
  transcribeVoice: TranscribeVoice;
  /** The image command. */
  drawImage: DrawImage;
  logger: Logger;
  now: () => number;
  /** Starts a job that answers on its own into the outbox (used for a new question asked while an answer waits). */
  startLateAnswer: (key: string, openid: string, work: () => Promise<JobResult>) => 'push' | 'outbox';
}

/** The key under which the job of a user's answer still being prepared for the outbox is remembered. */
export const pendingKey = (openid: string) => `pending:${openid}`;

type Step = { result: JobResult } | undefined;

export function createPipeline(deps: PipelineDependencies) {
  const { config, store, rules, handlers, answerWithModel, transcribeVoice, drawImage, logger, now } = deps;
  const { texts, commands, limits } = config;

  const isCommand = (list: string[], text: string) => {
    const said = text.trim().toLowerCase();
    return list.some((word) => word.toLowerCase() === said);
  };

  /** A text answer split into pages; the first is the reply, the rest wait for the continue word. */
  function textResult(text: string, source: string, meta: JobResult['meta'] = {}): JobResult {
    const pages = paginate(text, {
      maxBytes: limits.maxReplyBytes,
      hint: (page, total) => fillTemplate(texts.morePages, { page, next: page + 1, pages: total }),
    });
    const [first = texts.internalError, ...rest] = pages;
    return {
      reply: { type: 'text', content: first },
      ...(rest.length ? { morePages: rest.map((content): Reply => ({ type: 'text', content })), pushText: text } : {}),
      meta: { ...meta, source, pages: pages.length },
    };
  }

  const replyResult = (reply: Reply, source: string): JobResult => ({ reply, meta: { source } });

  function pageResult(item: OutboxItem, source: string): JobResult {
    return { reply: item.reply, meta: { source, remaining: item.remaining } };
  }

  async function continueAnswer(openid: string): Promise<JobResult> {
    const next = await store.shiftOutbox(openid);
    if (next) return pageResult(next, 'continue');
    // Nothing queued yet: if an answer is still being prepared, wait for it (its attempts follow the usual rules).
    const waitingKey = await store.getValue(pendingKey(openid));
    if (waitingKey) {
      const job = await store.getJob(waitingKey);
      if (job && job.status !== 'done') {
        // A model call ends (answer or error) within this; a job older than that lost its instance mid-answer.
        const { timeoutMs, maxRetries } = config.llm;
        const longestAnswerMs =
          timeoutMs * (maxRetries + 1) + maxRetries * DEFAULT_MAX_RETRY_DELAY_MS + config.timing.wechatTimeoutMs;
        const waitMs = job.createdAt + longestAnswerMs - now();
        if (waitMs > 0) await store.waitForJob(waitingKey, waitMs);
        const ready = await store.shiftOutbox(openid);
        if (ready) return pageResult(ready, 'continue');
        await store.deleteValue(pendingKey(openid));
        return textResult(texts.answerLost, 'continue');
      }
    }
    return textResult(texts.nothingPending, 'continue');
  }

  async function onCommand(openid: string, text: string): Promise<Step> {
    if (isCommand(commands.reset, text)) {
      await Promise.all([store.deleteSession(openid), store.clearOutbox(openid)]);
      return { result: textResult(texts.reset, 'command') };
    }
    if (isCommand(commands.help, text)) return { result: textResult(texts.help, 'command') };
    if (isCommand(commands.continue, text)) return { result: await continueAnswer(openid) };
    const image = imagePrompt(commands.image, text);
    if (image) {
      const drawn = await drawImage(image.command, image.prompt);
      return {
        result:
          drawn.reply.type === 'text'
            ? textResult(drawn.reply.content, drawn.source)
            : { ...replyResult(drawn.reply, drawn.source), question: quote(text) },
      };
    }
    return undefined;
  }

  async function onEvent(message: WechatEvent, openid: string): Promise<JobResult> {
    switch (message.event) {
      case 'subscribe':
        return textResult(fillTemplate(texts.welcome, { scene: message.scene ?? '' }), 'event');
      case 'unsubscribe':
        await Promise.all([store.deleteSession(openid), store.clearOutbox(openid)]);
        return replyResult({ type: 'success' }, 'event');
      case 'CLICK': {
        const reply = matchMenuKey(rules, message.key);
        return reply ? replyResult(reply, 'keyword') : replyResult({ type: 'success' }, 'event');
      }
      default:
        return replyResult({ type: 'success' }, 'event');
    }
  }

  /** What the message itself asks for, after commands and the waiting answer. */
  async function answerMessage(message: InboundMessage, context: HandlerContext): Promise<JobResult> {
    const { openid, text } = context;
    for (const handler of handlers) {
      const reply = await handler(context);
      if (reply) return reply.type === 'text' ? textResult(reply.content, 'handler') : replyResult(reply, 'handler');
    }
    if (text !== undefined) {
      const reply = matchText(rules, text);
      if (reply) return reply.type === 'text' ? textResult(reply.content, 'keyword') : replyResult(reply, 'keyword');
    }
    const fromModel = async (content: Parameters<AnswerWithModel>[1]) => {
      const answer = await answerWithModel(openid, content);
      return textResult(answer.text, answer.source, answer.meta);
    };
    switch (message.type) {
      case 'event':
        return onEvent(message, openid);
      case 'text':
        return fromModel(message.content);
      case 'voice': {
        if (message.recognition) return fromModel(message.recognition);
        const heard = await transcribeVoice(message.mediaId);
        if (heard.ok) return fromModel(heard.text);
        return textResult(heard.reason === 'failed' ? texts.voiceFailed : texts.voiceNeedsRecognition, 'media');
      }
      case 'image':
        return fromModel([
          { type: 'image_url', imageUrl: message.picUrl },
          { type: 'text', text: '（用户发送了一张图片，请描述或回应它）' },
        ]);
      case 'location':
        return fromModel(describeLocation(message));
      case 'link':
        return fromModel(describeLink(message));
      case 'video':
      case 'shortvideo':
        return textResult(texts.video, 'media');
      default:
        return textResult(texts.unsupported, 'media');
    }
  }

  /**
   * The user asked something new while an earlier answer waits unseen in the outbox: the reply delivers the waiting
   * answer, and the new question is not swallowed. If its answer is ready within the budget and both fit in one page
   * they go together; otherwise the new answer follows into the outbox (the continue word fetches it).
   */
  async function deliverWaitingWithNew(
    waiting: OutboxItem,
    key: string,
    openid: string,
    fresh: Promise<JobResult>,
    receivedAt: number,
  ): Promise<JobResult> {
    const prefix = waiting.question ? fillTemplate(texts.waitingAnswer, { question: waiting.question }) : '';
    const waitingText = waiting.reply.type === 'text' ? `${prefix}${waiting.reply.content}` : undefined;
    const budget = Math.max(0, config.timing.replyBudgetMs - (now() - receivedAt) - 250);
    let timer: NodeJS.Timeout | undefined;
    const ready = await Promise.race([
      fresh.catch(() => undefined),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), budget);
      }),
    ]);
    clearTimeout(timer);
    if (ready && waitingText && ready.reply.type === 'text' && !ready.morePages) {
      const combined = `${waitingText}\n\n———\n${ready.reply.content}`;
      if (utf8Bytes(combined) <= limits.maxReplyBytes && waiting.remaining === 0) {
        return textResult(combined, 'waiting+new', ready.meta);
      }
    }
    // The new answer goes to the outbox as an unseen answer of its own.
    const lateKey = `${key}:late`;
    const late = deps.startLateAnswer(lateKey, openid, () => fresh);
    if (!waitingText) return { reply: waiting.reply, meta: { source: 'waiting' } };
    // One page only: pages of the waiting answer still queued must stay its next pages (no morePages here).
    const fits = (content: string) => utf8Bytes(content) <= limits.maxReplyBytes;
    const withNotice = `${waitingText}${late === 'push' ? texts.newQuestionPushed : texts.newQuestionPending}`;
    if (!fits(withNotice) && !fits(waitingText)) return { reply: waiting.reply, meta: { source: 'waiting' } };
    const content = fits(withNotice) ? withNotice : waitingText;
    return { reply: { type: 'text', content }, meta: { source: 'waiting', remaining: waiting.remaining } };
  }

  /**
   * The fast path for answers that need no job: a text message that a keyword rule answers in one page, from a user
   * with nothing queued. Deterministic, so a retry gets the same reply without dedupe; no model, no outbox. Undefined
   * sends the message down the full path (before anything was counted).
   */
  async function quickAnswer(message: InboundMessage): Promise<JobResult | undefined> {
    if (message.type !== 'text' || handlers.length > 0 || rules.length === 0) return undefined;
    const text = message.content;
    const said = text.trim().toLowerCase();
    const isWord = (words: string[]) => words.some((word) => said.startsWith(word.toLowerCase()));
    if (isWord(commands.reset) || isWord(commands.help) || isWord(commands.continue) || isWord(commands.image)) {
      return undefined;
    }
    const reply = matchText(rules, text);
    if (!reply) return undefined;
    const result = reply.type === 'text' ? textResult(reply.content, 'keyword') : replyResult(reply, 'keyword');
    if (result.morePages) return undefined;
    const openid = message.fromUser;
    if ((await store.summarizeOutbox(openid)).pages > 0) return undefined;
    if (limits.userMessagesPerMinute > 0) {
      const count = await store.hit(`rate:${openid}`, 60_000);
      if (count > limits.userMessagesPerMinute) return textResult(texts.rateLimited, 'rate-limit');
    }
    return result;
  }

  async function work(message: InboundMessage, key: string, receivedAt: number): Promise<JobResult> {
    const openid = message.fromUser;
    const text = message.type === 'text' ? message.content : message.type === 'voice' ? message.recognition : undefined;
    const isUserMessage = message.type !== 'event' && message.type !== 'unknown';

    if (isUserMessage && limits.userMessagesPerMinute > 0) {
      const count = await store.hit(`rate:${openid}`, 60_000);
      if (count > limits.userMessagesPerMinute) return textResult(texts.rateLimited, 'rate-limit');
    }
    if (text !== undefined) {
      const step = await onCommand(openid, text);
      if (step) return step.result;
    }

    const context: HandlerContext = {
      message,
      openid,
      ...(text !== undefined ? { text } : {}),
      store,
      config,
      logger,
      session: () => store.getSession(openid),
    };
    if (!isUserMessage) return answerMessage(message, context);

    // A new question: leftover pages of answers already seen are stale now.
    await store.dropSeenAnswers(openid);
    const waiting = await store.shiftUnseenAnswer(openid);
    if (!waiting) {
      const result = await answerMessage(message, context);
      return { ...result, question: quote(text ?? `[${message.type}]`) };
    }
    const fresh = answerMessage(message, context).then((result) => ({
      ...result,
      question: quote(text ?? `[${message.type}]`),
    }));
    return deliverWaitingWithNew(waiting, key, openid, fresh, receivedAt);
  }

  return { work, quickAnswer };
}

export type Pipeline = ReturnType<typeof createPipeline>;
