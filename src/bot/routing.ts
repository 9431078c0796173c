/**
 * Routing one message to its answer, in order: rate limit, commands (the continue word through the outbox), the
 * waiting answer, custom handlers, keyword rules, events, media, and the model. Produces the JobResult that every
 * attempt of the message answers with. Store reads that only refine an answer (the rate limit, the outbox check of the
 * fast path) fall back when the store is unavailable, so a keyword still answers during an outage.
 */
import type { Logger, ResolvedConfig, RuleReply } from '../config.js';
import { ownString } from '../own-string.js';
import { copyResult } from '../store/copy-result.js';
import type { AnswerSource, JobResult, OutboxClaim, Store } from '../store/types.js';
import type { InboundMessage, Reply, WechatEvent } from '../wechat/types.js';
import type { AnswerWithModel, ChatAnswer } from './chat.js';
import type { Clock } from './clock.js';
import { describeLink, describeLocation } from './describe.js';
import { type DrawImage, imageCommandWords } from './image-command.js';
import { type CompiledRule, matchMenuKey, matchText } from './keywords.js';
import type { Outbox } from './outbox.js';
import { commandWords, Said } from './said.js';
import { asIs, type FailureHandler, type StorePatience, storeUnavailable } from './store-patience.js';
import { createFixedResults, type TextResult } from './text-result.js';
import { fillTemplate, quote } from './texts.js';
import type { Handler, HandlerContext } from './types.js';
import type { TranscribeVoice } from './voice.js';

export interface RoutingDependencies {
  config: ResolvedConfig;
  store: Store;
  rules: CompiledRule[];
  handlers: Handler[];
  answerWithModel: AnswerWithModel;
  /** Voice without WeChat's Recognition. */
  transcribeVoice: TranscribeVoice;
  /** The image command. */
  drawImage: DrawImage;
  outbox: Outbox;
  textResult: TextResult;
  logger: Logger;
  clock: Clock;
  patience: StorePatience;
}

export function createRouting(deps: RoutingDependencies) {
  const { config, store, rules, handlers, answerWithModel, transcribeVoice, drawImage, outbox, textResult, logger } =
    deps;
  const { texts, commands, limits } = config;

  const isReset = commandWords(commands.reset);
  const isHelp = commandWords(commands.help);
  const isContinue = commandWords(commands.continue);
  const imagePrompt = imageCommandWords(commands.image);
  /** Words whose messages always take the full path (the continue word, the image command), lowercased. */
  const fullPathWords = [...commands.continue, ...commands.image].map((word) => word.toLowerCase());

  const replyResult = (reply: Reply, source: AnswerSource): JobResult => ({ reply, meta: { source } });
  /** Texts that are the same for every message (rules, the welcome, help, the rate limit's), paged once. */
  const fixedResult = createFixedResults(textResult);
  const ruleResult = (reply: RuleReply): JobResult =>
    reply.type === 'text' ? fixedResult(reply.content, 'keyword') : replyResult(reply, 'keyword');
  /** The welcome names the QR scene only when its text asks for it. */
  const welcomeHasScene = texts.welcome.includes('{scene}');

  /**
   * A store call that only refines the answer: when the store cannot answer (in time), `skipped` says what to do
   * instead (see skipped()). The call itself goes on in the background. One step on the store's promise, no async
   * frame: it runs on every message.
   */
  function orElse<T>(read: Promise<T>, skippedRead: FailureHandler<T>, maxMs?: number): Promise<T> {
    return deps.patience.handle(read, asIs, skippedRead, maxMs);
  }

  /**
   * The failure handler of a read that only refines the answer: the fallback, logged; a bug (not a store error) is
   * thrown. Made once per kind of read.
   */
  function skipped<T>(fallback: T, what: string): FailureHandler<T> {
    return (error, reason = 'failed') => {
      if (!storeUnavailable(error, reason)) throw error;
      const err = reason === 'failed' ? (error as Error).message : 'no answer in time';
      logger.warn({ err }, `store unavailable: ${what} skipped`);
      return fallback;
    };
  }

  const forgettingSkipped = skipped(undefined, 'forgetting the user');
  const waitingSkipped = skipped(undefined, 'the waiting answer');
  const rateLimitSkipped = skipped(false, 'the rate limit');

  /** Forgets the user's conversation and waiting answers (reset, unsubscribe); a store outage skips it. */
  const forget = (openid: string) =>
    orElse(Promise.all([store.deleteSession(openid), store.clearOutbox(openid)]), forgettingSkipped);

  /** Whether a count of the user's messages this minute is over the limit. */
  const overLimit = (count: number): boolean => count > limits.userMessagesPerMinute;

  /**
   * Counts the message against the user's per-minute limit; true when over it (a store that did not count: not
   * over). False at once (no promise) when there is no limit.
   */
  function overRateLimit(openid: string, maxMs?: number): Promise<boolean> | false {
    if (limits.userMessagesPerMinute <= 0) return false;
    return deps.patience.handle(store.hit(`rate:${openid}`, 60_000), overLimit, rateLimitSkipped, maxMs);
  }

  /** The command's answer; undefined at once (no promise) when the text is no command, as most are. */
  function onCommand(openid: string, said: Said): Promise<JobResult> | undefined {
    if (isReset(said)) return forget(openid).then(() => fixedResult(texts.reset, 'command'));
    if (isHelp(said)) return Promise.resolve(fixedResult(texts.help, 'command'));
    if (isContinue(said)) return outbox.continueAnswer(openid);
    const image = imagePrompt(said);
    return image && onImageCommand(image.command, image.prompt, openid, said);
  }

  async function onImageCommand(command: string, prompt: string, openid: string, said: Said): Promise<JobResult> {
    const drawn = await drawImage(command, prompt, openid);
    return drawn.reply.type === 'text'
      ? textResult(drawn.reply.content, drawn.source)
      : { ...replyResult(drawn.reply, drawn.source), question: quote(said.text) };
  }

  async function onEvent(message: WechatEvent, openid: string): Promise<JobResult> {
    if (message.event !== 'unsubscribe') return eventAnswer(message);
    await forget(openid);
    return replyResult({ type: 'success' }, 'event');
  }

  /** The answer to any event but unsubscribe (which forgets the user first): nothing to wait for. */
  function eventAnswer(message: WechatEvent): JobResult {
    switch (message.event) {
      case 'subscribe':
        return fixedResult(
          welcomeHasScene ? fillTemplate(texts.welcome, { scene: message.scene ?? '' }) : texts.welcome,
          'event',
        );
      case 'CLICK': {
        const reply = matchMenuKey(rules, message.key);
        return reply ? ruleResult(reply) : replyResult({ type: 'success' }, 'event');
      }
      default:
        return replyResult({ type: 'success' }, 'event');
    }
  }

  const modelResult = (answer: ChatAnswer): JobResult => textResult(answer.text, answer.source, answer.meta);

  /**
   * What the message itself asks for, after commands and the waiting answer: the custom handlers' answer, else the
   * built-in one. Without handlers no context is made and no async frame: the model's answer is one step on its call.
   */
  function answerMessage(message: InboundMessage, openid: string, said?: Said): Promise<JobResult> | JobResult {
    return handlers.length > 0 ? answerWithHandlers(message, openid, said) : answerBuiltIn(message, openid, said);
  }

  async function answerWithHandlers(message: InboundMessage, openid: string, said?: Said): Promise<JobResult> {
    const context: HandlerContext = {
      message,
      openid,
      text: said?.text,
      store,
      config,
      logger,
      session: () => store.getSession(openid),
    };
    for (const handler of handlers) {
      const reply = await handler(context);
      if (reply) return reply.type === 'text' ? textResult(reply.content, 'handler') : replyResult(reply, 'handler');
    }
    return await answerBuiltIn(message, openid, said);
  }

  /** Keyword rules, events, media and the model, in that order. */
  function answerBuiltIn(message: InboundMessage, openid: string, said?: Said): Promise<JobResult> | JobResult {
    if (said) {
      const reply = matchText(rules, said);
      if (reply) return ruleResult(reply);
    }
    switch (message.type) {
      case 'event':
        return onEvent(message, openid);
      case 'text':
        return fromModel(openid, message.content);
      case 'voice':
        return message.recognition ? fromModel(openid, message.recognition) : answerVoice(message.mediaId, openid);
      case 'image':
        return fromModel(openid, [
          { type: 'image_url', imageUrl: message.picUrl },
          { type: 'text', text: '（用户发送了一张图片，请描述或回应它）' },
        ]);
      case 'location':
        return fromModel(openid, describeLocation(message));
      case 'link':
        return fromModel(openid, describeLink(message));
      case 'video':
      case 'shortvideo':
        return fixedResult(texts.video, 'media');
      default:
        return fixedResult(texts.unsupported, 'media');
    }
  }

  const fromModel = (openid: string, content: Parameters<AnswerWithModel>[1]): Promise<JobResult> =>
    answerWithModel(openid, content).then(modelResult);

  /** A voice message without WeChat's Recognition: transcribed here, then answered as its text. */
  async function answerVoice(mediaId: string, openid: string): Promise<JobResult> {
    const heard = await transcribeVoice(mediaId);
    if (heard.ok) return await fromModel(openid, heard.text);
    return fixedResult(heard.reason === 'failed' ? texts.voiceFailed : texts.voiceNeedsRecognition, 'media');
  }

  /**
   * The fast path: answers that need no job. A subscribe's welcome, other events' `success` (a menu CLICK's keyword
   * reply included), the help and reset commands and keyword rules are deterministic and fit one page, and what they
   * change (unsubscribe and reset forget the conversation) can be done again harmlessly, so every attempt of the
   * message computes them again: no dedupe claim, no job, no waiter. Custom handlers see every message first, so with
   * any only the commands take this path. Undefined (returned at once, or the promise's value) sends the message down
   * the full path, before anything was counted or changed. A slow or unavailable store does not hold these answers
   * up: each store call here is bounded.
   */
  function quickAnswer(message: InboundMessage, budgetMs: number): Promise<JobResult | undefined> | undefined {
    const openid = message.fromUser;
    if (message.type === 'event') {
      if (handlers.length > 0) return undefined;
      if (message.event === 'unsubscribe') return onEvent(message, openid).then(onePage);
      return Promise.resolve(onePage(eventAnswer(message)));
    }
    // Whatever must take the full path is told so at once, with no promise made for it.
    if (message.type !== 'text') return undefined;
    const said = new Said(message.content);
    lastSaidFor = message;
    lastSaid = said;
    if (isReset(said) || isHelp(said)) return quickCommand(openid, said, budgetMs);
    if (handlers.length > 0 || rules.length === 0) return undefined;
    // The continue word and the image command need the full path, whatever a rule says.
    if (fullPathWords.some((word) => said.lower.startsWith(word))) return undefined;
    const reply = matchText(rules, said);
    const result = reply && onePage(ruleResult(reply));
    return result && quickKeyword(result, openid, budgetMs);
  }

  const onePage = (result: JobResult) => (result.morePages ? undefined : result);

  /**
   * The Said that quickAnswer made for a text message, kept until the next one: the full path of the same message
   * (work, a moment later) reuses it rather than trim and lowercase the text again. Only the last one: a message
   * whose work comes after another's fast path makes its own.
   */
  let lastSaidFor: InboundMessage | undefined;
  let lastSaid: Said | undefined;

  function saidOf(message: InboundMessage, text: string): Said {
    if (lastSaidFor === message && lastSaid?.text === text) return lastSaid;
    return new Said(text);
  }

  async function quickCommand(openid: string, said: Said, budgetMs: number): Promise<JobResult | undefined> {
    if (await overRateLimit(openid, budgetMs / 4)) return fixedResult(texts.rateLimited, 'rate-limit');
    return onePage(await onCommand(openid, said)!);
  }

  async function quickKeyword(result: JobResult, openid: string, budgetMs: number): Promise<JobResult | undefined> {
    // A user with answers waiting gets them with this reply: the full path does that.
    const queued = await deps.patience.wait(store.summarizeOutbox(openid), budgetMs / 2);
    if (queued.ok && queued.value.pages > 0) return undefined;
    return (await overRateLimit(openid, budgetMs / 4)) ? fixedResult(texts.rateLimited, 'rate-limit') : result;
  }

  async function work(message: InboundMessage, key: string, receivedAt: number): Promise<JobResult> {
    const openid = message.fromUser;
    const text = message.type === 'text' ? message.content : message.type === 'voice' ? message.recognition : undefined;
    const isUserMessage = message.type !== 'event' && message.type !== 'unknown';

    if (isUserMessage && (await overRateLimit(openid))) return fixedResult(texts.rateLimited, 'rate-limit');
    const said = text === undefined ? undefined : saidOf(message, text);
    const command = said && onCommand(openid, said);
    if (command) return await command;

    if (!isUserMessage) return await answerMessage(message, openid, said);

    // A new question: leftover pages of answers already seen are stale now; an answer not seen yet goes with the reply.
    const waiting = await orElse<OutboxClaim | undefined>(outbox.claimWaiting(openid), waitingSkipped);
    // Kept with the answer for as long as the job is (a short text is quoted as it is: a slice of the request's body,
    // which it would keep alive), so a copy of its own.
    const question = ownString(quote(text ?? `[${message.type}]`));
    if (!waiting) {
      const result = await answerMessage(message, openid, said);
      return copyResult(result, question);
    }
    // Made in a promise's executor: whatever goes wrong in answering the new question becomes its rejection.
    const fresh = new Promise<JobResult>((resolve) => resolve(answerMessage(message, openid, said))).then((result) =>
      copyResult(result, question),
    );
    return outbox.deliverWaitingWithNew(waiting, key, openid, fresh, receivedAt);
  }

  return { work, quickAnswer };
}

export type Routing = ReturnType<typeof createRouting>;
