/**
 * The fast path: answers that need no job. A subscribe event's welcome, any other event's `success` (a menu CLICK's
 * keyword reply included), the help and reset commands, and a keyword rule's reply are deterministic and fit one
 * page, and what they change (unsubscribe and reset forget the session and outbox) can be done again harmlessly, so
 * every attempt of the message can compute them again: no dedupe claim, no job record, no waiter. They are exactly
 * what the full path (pipeline.work) would answer; undefined sends the message down the full path, before anything
 * was counted or changed.
 */
import type { ResolvedConfig } from '../config.js';
import type { JobResult, Store } from '../store/types.js';
import type { InboundMessage, Reply, WechatEvent } from '../wechat/types.js';
import { type CompiledRule, matchMenuKey, matchText } from './keywords.js';
import { paginate } from './paging.js';
import { fillTemplate } from './texts.js';
import type { Handler } from './types.js';

export interface QuickAnswerDependencies {
  config: ResolvedConfig;
  store: Store;
  rules: CompiledRule[];
  /** Custom handlers see every message before keywords and events: with any, only commands take the fast path. */
  handlers: readonly Handler[];
}

export type QuickAnswer = (message: InboundMessage) => Promise<JobResult | undefined>;

export function createQuickAnswer({ config, store, rules, handlers }: QuickAnswerDependencies): QuickAnswer {
  const { texts, commands, limits } = config;
  const lowered = (words: string[]) => words.map((word) => word.toLowerCase());
  const reset = lowered(commands.reset);
  const help = lowered(commands.help);
  // A message starting with these is never a keyword's: the continue word and the image command need the full path.
  const fullPathPrefixes = [...lowered(commands.continue), ...lowered(commands.image)];

  /** A text as the pipeline's one-page answer, or undefined when it needs more pages (the full path pages it). */
  function onePage(text: string, source: string): JobResult | undefined {
    const pages = paginate(text, { maxBytes: limits.maxReplyBytes });
    if (pages.length !== 1) return undefined;
    return { reply: { type: 'text', content: pages[0]! }, meta: { source, pages: 1 } };
  }

  function ruleResult(reply: Reply): JobResult | undefined {
    return reply.type === 'text' ? onePage(reply.content, 'keyword') : { reply, meta: { source: 'keyword' } };
  }

  const forget = (openid: string) => Promise.all([store.deleteSession(openid), store.clearOutbox(openid)]);

  async function onEvent(message: WechatEvent): Promise<JobResult | undefined> {
    switch (message.event) {
      case 'subscribe':
        return onePage(fillTemplate(texts.welcome, { scene: message.scene ?? '' }), 'event');
      case 'unsubscribe':
        await forget(message.fromUser);
        return { reply: { type: 'success' }, meta: { source: 'event' } };
      case 'CLICK': {
        const reply = matchMenuKey(rules, message.key);
        return reply ? ruleResult(reply) : { reply: { type: 'success' }, meta: { source: 'event' } };
      }
      default:
        return { reply: { type: 'success' }, meta: { source: 'event' } };
    }
  }

  /** Counts the message against the user's per-minute limit, as the full path does for user messages. */
  async function overLimit(openid: string): Promise<boolean> {
    if (limits.userMessagesPerMinute <= 0) return false;
    return (await store.hit(`rate:${openid}`, 60_000)) > limits.userMessagesPerMinute;
  }

  return async function quickAnswer(message) {
    if (message.type === 'event') return handlers.length > 0 ? undefined : onEvent(message);
    if (message.type !== 'text') return undefined;
    const openid = message.fromUser;
    const said = message.content.trim().toLowerCase();
    // The order of the full path's commands: reset, then help.
    const isReset = reset.includes(said);
    if (isReset || help.includes(said)) {
      const result = onePage(isReset ? texts.reset : texts.help, 'command');
      if (!result) return undefined;
      if (await overLimit(openid)) return onePage(texts.rateLimited, 'rate-limit');
      if (isReset) await forget(openid);
      return result;
    }
    if (handlers.length > 0 || rules.length === 0) return undefined;
    if (fullPathPrefixes.some((prefix) => said.startsWith(prefix))) return undefined;
    const reply = matchText(rules, message.content);
    const result = reply && ruleResult(reply);
    if (!result) return undefined;
    // A user with answers waiting gets them with this reply: the full path does that.
    if ((await store.summarizeOutbox(openid)).pages > 0) return undefined;
    return (await overLimit(openid)) ? onePage(texts.rateLimited, 'rate-limit') : result;
  };
}
