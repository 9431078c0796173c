/**
 * Active delivery: answers that miss the reply budget are pushed with the customer-service API (long answers as
 * several messages, in order), with the typing indicator while the model works. A push that cannot go out leaves the
 * rest of the answer in the outbox; 48001 (no permission) turns pushing off for the rest of the run.
 */
import type { Logger, ResolvedConfig } from '../config.js';
import type { JobResult } from '../store/types.js';
import type { Reply } from '../wechat/types.js';
import { classifyPushFailure } from '../wechat-api/errors.js';
import type { WechatApi } from '../wechat-api/types.js';
import { paginate } from './paging.js';

/** The typing indicator lasts 15 s; renew it a little before. */
const TYPING_RENEW_MS = 12_000;
/** Stop renewing after this long: WeChat accepts typing only for a while after the user's message. */
const TYPING_MAX_MS = 28_000;

export type PushOutcome =
  /** Every page went out. */
  | { status: 'pushed'; pages: number }
  /** Pages from `failedAt` on could not be pushed: they belong in the outbox. */
  | { status: 'failed'; failedAt: number; pages: Reply[]; errcode?: number };

export interface ActiveDelivery {
  /** 'active' while pushing is possible, else 'passive'. */
  mode(): 'passive' | 'active';
  isActive(): boolean;
  /** Shows "typing…" to the user until stop() (renewed, bounded). Never throws. */
  startTyping(openid: string): () => void;
  /** Pushes a finished answer: the full text re-paged without continue hints, or the reply and its pages. */
  push(openid: string, result: JobResult): Promise<PushOutcome>;
}

export interface ActiveDeliveryOptions {
  config: ResolvedConfig;
  wechatApi: WechatApi | undefined;
  logger: Logger;
}

export function createActiveDelivery({ config, wechatApi, logger }: ActiveDeliveryOptions): ActiveDelivery {
  const wanted =
    config.delivery === 'active' ||
    (config.delivery === 'auto' && Boolean(config.wechat.appId && config.wechat.appSecret));
  let forbidden = false;
  if (config.delivery === 'active' && !wechatApi) {
    logger.warn(
      { hint: 'Set WECHAT_APP_ID and WECHAT_APP_SECRET, or use delivery: "passive".' },
      'delivery is "active" but AppID/AppSecret are missing: answering passively',
    );
  }

  const mode = (): 'passive' | 'active' => (wanted && wechatApi && !forbidden ? 'active' : 'passive');

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
    isActive: () => mode() === 'active',
    startTyping(openid) {
      if (!wechatApi) return () => {};
      const started = Date.now();
      const send = () => {
        wechatApi.typing(openid, 'Typing').catch((error: unknown) => {
          logger.debug({ openid, err: (error as Error).message }, 'typing indicator failed');
        });
      };
      send();
      const timer = setInterval(() => {
        if (Date.now() - started > TYPING_MAX_MS) clearInterval(timer);
        else send();
      }, TYPING_RENEW_MS);
      timer.unref();
      return () => clearInterval(timer);
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
          if (failure === 'passive' && !forbidden) {
            forbidden = true;
            logger.warn(
              { errcode: err.errcode, hint: err.hint },
              'this account cannot push messages (48001): switching to passive delivery for the rest of the run',
            );
          } else {
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
      return { status: 'pushed', pages: pages.length };
    },
  };
}
