/**
 * The local dev console: a page served by `serve` under /_console that shows every WeChat request decrypted on a
 * timeline, replays them, and chats with the bot like a phone. It watches at the edges only (the webhook's observer,
 * the bot's message records, a recording wrapper around the model client), never inside the engine.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MessageRecord } from '../bot/types.js';
import type { WechatGpt } from '../index.js';
import type { Knowledge } from '../kb/knowledge.js';
import type { LlmClient } from '../llm/types.js';
import type { WebhookObserver } from '../server/observer.js';
import { createConsoleGuard, newConsoleSecret } from './auth.js';
import { createDriver, type DriveSettings } from './drive.js';
import { createHistory, DEFAULT_HISTORY_SIZE, summarize } from './history.js';
import { recordRetrievals } from './knowledge-recorder.js';
import { recordLlmCalls } from './llm-recorder.js';
import { createOpener } from './opener.js';
import { CONSOLE_PATH, createConsoleRoutes } from './routes.js';
import { createEventStream } from './sse.js';

export { CONSOLE_PATH } from './routes.js';

export interface DevConsole {
  /** Give these to createWechatGpt. */
  observer: WebhookObserver;
  wrapLlm(llm: LlmClient): LlmClient;
  /** The knowledge base the bot answers from, recorded: each question's passages show in its detail. */
  wrapKnowledge(knowledge: Knowledge): Knowledge;
  onMessage(record: MessageRecord): void;
  /** Starts serving once the server listens: the bot to drive and the loopback URL of its webhook. */
  attach(options: { gpt: WechatGpt; port: number; host: string }): void;
  /** Answers /_console requests; false for any other URL. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** The URL to open, with this run's secret. */
  url(): string;
  close(): void;
}

export function createDevConsole({
  secret = newConsoleSecret(),
  historySize = DEFAULT_HISTORY_SIZE,
}: {
  secret?: string;
  historySize?: number;
} = {}): DevConsole {
  let attached: { gpt: WechatGpt; port: number; host: string } | undefined;
  const history = createHistory({ size: historySize, opener: createOpener(() => attached?.gpt.config.wechat) });
  const events = createEventStream();
  const running = () => {
    if (!attached) throw new Error('The console is not attached to a server yet.');
    return attached;
  };

  const changed = (id: string) => {
    // No page open: nothing to tell, and nothing allocated for it.
    if (events.clients === 0) return;
    events.send('message', () => {
      const entry = history.get(id);
      return entry ? summarize(entry) : { id };
    });
  };
  const onCall = (call: Parameters<typeof history.modelCall>[0]) => {
    const id = history.modelCall(call);
    if (id) changed(id);
  };

  const settings = (): DriveSettings => {
    const { gpt, port, host } = running();
    const { token, encodingAesKey, appId } = gpt.config.wechat;
    return {
      url: `http://${host}:${port}${gpt.config.path}`,
      token,
      mode: encodingAesKey && appId ? 'safe' : 'plain',
      ...(encodingAesKey ? { encodingAesKey } : {}),
      ...(appId ? { appId } : {}),
      timeoutMs: gpt.config.timing.wechatTimeoutMs,
      attempts: gpt.config.timing.attempts,
    };
  };
  const driver = createDriver({ settings, history });
  const guard = createConsoleGuard({ secret, port: () => running().port });
  const routes = createConsoleRoutes({
    guard,
    history,
    events,
    driver,
    changed,
    store: () => running().gpt.store,
    keys: () => {
      const { token, encodingAesKey, appId } = running().gpt.config.wechat;
      return { token, ...(encodingAesKey ? { encodingAesKey } : {}), ...(appId ? { appId } : {}) };
    },
    info: () => {
      const { gpt } = running();
      return {
        path: gpt.config.path,
        mode: settings().mode,
        model: gpt.config.llm.model,
        delivery: gpt.deliveryMode(),
        timeoutMs: gpt.config.timing.wechatTimeoutMs,
        attempts: gpt.config.timing.attempts,
        continueWord: gpt.config.commands.continue[0] ?? '继续',
        historySize,
        users: history.users(),
      };
    },
  });

  return {
    observer: {
      received(message, receivedAt) {
        const entry = history.open(message, receivedAt);
        changed(entry.id);
        return entry;
      },
      attempt(observed) {
        changed(history.attempt(observed));
      },
    },
    wrapLlm: (llm) => recordLlmCalls(llm, { onCall }),
    wrapKnowledge: (knowledge) =>
      recordRetrievals(knowledge, {
        onRetrieval(retrieval) {
          const id = history.retrieval(retrieval);
          if (id) changed(id);
        },
      }),
    onMessage(record) {
      if (record.messageType !== 'push') return;
      const id = history.pushed(record);
      if (id) changed(id);
    },
    attach(options) {
      attached = options;
    },
    handle(req, res) {
      if (!attached) return false;
      return routes(req, res);
    },
    url() {
      const { port, host } = running();
      return `http://${host}:${port}${CONSOLE_PATH}/?secret=${secret}`;
    },
    close() {
      events.close();
    },
  };
}
