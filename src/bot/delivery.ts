/**
 * How late answers reach users: passively (the outbox, fetched by the continue word or the next message) or actively
 * (pushed with the customer-service API, long answers as several messages, with the typing indicator meanwhile).
 * Active delivery degrades to passive when the API cannot be used: 48001 (no permission) for the rest of the run; an
 * API-wide failure (unreachable, token or AppSecret refused, IP whitelist) until a probe shows the API works again,
 * probing with a growing backoff. A per-user refusal (45015, 45047) keeps that one answer in the outbox.
 */
import type { Logger, ResolvedConfig } from '../config.js';
import type { JobResult } from '../store/types.js';
import type { Reply } from '../wechat/types.js';
import { classifyPushFailure } from '../wechat-api/errors.js';
import type { WechatApi } from '../wechat-api/types.js';
import type { Clock, TimerHandle } from './clock.js';
import { paginate } from './paging.js';

/** The typing indicator lasts 15 s; renew it a little before. */
const TYPING_RENEW_MS = 12_000;
/** Stop renewing after this long: WeChat accepts typing only for a while after the user's message. */
const TYPING_MAX_MS = 28_000;
/** The first probe after the API failed, and the longest wait between probes. */
export const PROBE_FIRST_MS = 30_000;
export const PROBE_MAX_MS = 10 * 60_000;
/** A cheap call that needs a valid access_token and the IP whitelist: it works exactly when pushing can. */
const PROBE_PATH = '/cgi-bin/get_api_domain_ip';

export type PushOutcome =
  /** Every page went out. */
  | { status: 'pushed'; pages: number }
  /** Pages from `failedAt` on could not be pushed: they belong in the outbox. */
  | { status: 'failed'; failedAt: number; pages: Reply[]; errcode?: number };

/** Where delivery stands, for /healthz and metrics. */
export type DeliveryState =
  | { mode: 'passive'; reason: 'configured' | 'no-credentials' | 'forbidden' }
  | { mode: 'active' }
  | { mode: 'degraded'; since: number; errcode?: number; nextProbeAt: number };

export interface LateDelivery {
  /** 'active' while pushing works now, else 'passive'. */
  mode(): 'passive' | 'active';
  state(): DeliveryState;
  /** Shows "typing…" to the user until stop() (renewed, bounded). Never throws. */
  startTyping(openid: string): () => void;
  /** Pushes a finished answer: the full text re-paged without continue hints, or the reply and its pages. */
  push(openid: string, result: JobResult): Promise<PushOutcome>;
  /** Stops the probe timer. */
  close(): void;
}

export interface DeliveryOptions {
  config: ResolvedConfig;
  wechatApi: WechatApi | undefined;
  logger: Logger;
  clock: Clock;
}

export function createDelivery({ config, wechatApi, logger, clock }: DeliveryOptions): LateDelivery {
  const wanted =
    config.delivery === 'active' ||
    (config.delivery === 'auto' && Boolean(config.wechat.appId && config.wechat.appSecret));
  let forbidden = false;
  let degraded: { since: number; errcode?: number; nextProbeAt: number; backoffMs: number } | undefined;
  let probeTimer: TimerHandle | undefined;
  if (config.delivery === 'active' && !wechatApi) {
    logger.warn(
      { hint: 'Set WECHAT_APP_ID and WECHAT_APP_SECRET, or use delivery: "passive".' },
      'delivery is "active" but AppID/AppSecret are missing: answering passively',
    );
  }

  function state(): DeliveryState {
    if (!wanted) return { mode: 'passive', reason: 'configured' };
    if (!wechatApi) return { mode: 'passive', reason: 'no-credentials' };
    if (forbidden) return { mode: 'passive', reason: 'forbidden' };
    if (degraded) {
      const { since, errcode, nextProbeAt } = degraded;
      return { mode: 'degraded', since, nextProbeAt, ...(errcode !== undefined ? { errcode } : {}) };
    }
    return { mode: 'active' };
  }

  const mode = (): 'passive' | 'active' => (state().mode === 'active' ? 'active' : 'passive');

  function degrade(errcode: number | undefined): void {
    const backoffMs = degraded ? Math.min(degraded.backoffMs * 2, PROBE_MAX_MS) : PROBE_FIRST_MS;
    if (!degraded) {
      logger.warn(
        { errcode, retryInMs: backoffMs },
        'the WeChat API cannot be used for pushing now: answering passively (users get 「继续」) until it works again',
      );
    }
    degraded = {
      since: degraded?.since ?? clock.now(),
      ...(errcode !== undefined ? { errcode } : {}),
      nextProbeAt: clock.now() + backoffMs,
      backoffMs,
    };
    if (probeTimer !== undefined) clock.clearTimeout(probeTimer);
    probeTimer = clock.setTimeout(probe, backoffMs);
    probeTimer.unref?.();
  }

  function recover(): void {
    if (!degraded) return;
    degraded = undefined;
    if (probeTimer !== undefined) clock.clearTimeout(probeTimer);
    probeTimer = undefined;
    logger.info({}, 'the WeChat API works again: pushing late answers');
  }

  function probe(): void {
    probeTimer = undefined;
    if (!wechatApi || !degraded) return;
    wechatApi.call(PROBE_PATH).then(recover, (error: unknown) => {
      const failure = classifyPushFailure(error);
      if (failure === 'forbidden') forbid(error);
      else degrade((error as { errcode?: number }).errcode);
    });
  }

  function forbid(error: unknown): void {
    if (forbidden) return;
    forbidden = true;
    degraded = undefined;
    logger.warn(
      { errcode: 48001, hint: (error as { hint?: string }).hint },
      'this account cannot push messages (48001): switching to passive delivery for the rest of the run',
    );
  }

  function pagesOf(result: JobResult): Reply[] {
    if (result.pushText !== undefined) {
      return paginate(result.pushText, { maxBytes: config.limits.maxReplyBytes, hint: () => '' }).map(
        (content): Reply => ({ type: 'text', content }),
      );
    }
    return [result.reply, ...(result.morePages ?? [])];
  }

  return {
    mode,
    state,
    startTyping(openid) {
      if (!wechatApi) return () => {};
      const started = clock.now();
      let timer: TimerHandle | undefined;
      const send = () => {
        wechatApi.typing(openid, 'Typing').catch((error: unknown) => {
          logger.debug({ openid, err: (error as Error).message }, 'typing indicator failed');
        });
        if (clock.now() - started + TYPING_RENEW_MS <= TYPING_MAX_MS) {
          timer = clock.setTimeout(send, TYPING_RENEW_MS);
          timer.unref?.();
        }
      };
      send();
      return () => {
        if (timer !== undefined) clock.clearTimeout(timer);
      };
    },
    async push(openid, result) {
      const pages = pagesOf(result).filter((page) => page.type !== 'success');
      if (!wechatApi) return { status: 'failed', failedAt: 0, pages };
      for (const [index, page] of pages.entries()) {
        try {
          await wechatApi.sendReply(openid, page);
        } catch (error) {
          const failure = classifyPushFailure(error);
          const err = error as { message?: string; errcode?: number; hint?: string };
          if (failure === 'forbidden') forbid(error);
          else if (failure === 'down') degrade(err.errcode);
          else {
            const level = failure === 'unexpected' ? 'error' : 'warn';
            logger[level](
              { openid, errcode: err.errcode, err: err.message, hint: err.hint },
              'push failed: the answer waits in the outbox',
            );
          }
          return {
            status: 'failed',
            failedAt: index,
            pages,
            ...(typeof err.errcode === 'number' ? { errcode: err.errcode } : {}),
          };
        }
      }
      recover();
      return { status: 'pushed', pages: pages.length };
    },
    close() {
      if (probeTimer !== undefined) clock.clearTimeout(probeTimer);
      probeTimer = undefined;
    },
  };
}
