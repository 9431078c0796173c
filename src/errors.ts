/** The error tree: one root (WechatGptError, with a code and a hint) and a class per family. */
import { WechatGptError, type WechatGptErrorOptions } from './wechat/errors.js';

export {
  DecryptError,
  ProtocolError,
  ProtocolErrorCode,
  SignatureError,
  WechatGptError,
  type WechatGptErrorOptions,
} from './wechat/errors.js';

/** One wrong setting: its name, where its value came from, what is wrong and how to fix it. */
export interface SettingProblem {
  setting: string;
  source?: string;
  message: string;
  hint?: string;
}

/**
 * Settings are missing or wrong. `setting` and `source` name the first; `problems` lists every one (a configuration
 * is checked whole, so one run shows everything to fix).
 */
export class ConfigError extends WechatGptError<'CONFIG_INVALID'> {
  readonly setting: string;
  readonly source: string | undefined;
  readonly problems: readonly SettingProblem[];
  constructor(
    setting: string,
    message: string,
    options: WechatGptErrorOptions & { source?: string; problems?: readonly SettingProblem[] } = {},
  ) {
    super('CONFIG_INVALID', message, options);
    this.setting = setting;
    this.source = options.source;
    this.problems = options.problems ?? [
      {
        setting,
        message,
        ...(options.source ? { source: options.source } : {}),
        ...(options.hint ? { hint: options.hint } : {}),
      },
    ];
  }

  /** One error for several problems: the message lists them all, each with its own fix. */
  static of(problems: readonly SettingProblem[]): ConfigError {
    const [first, ...rest] = problems;
    if (!first) throw new TypeError('ConfigError.of needs at least one problem');
    if (rest.length === 0) {
      return new ConfigError(first.setting, first.message, {
        problems,
        ...(first.source ? { source: first.source } : {}),
        ...(first.hint ? { hint: first.hint } : {}),
      });
    }
    const lines = problems.map((p) => `  - ${p.message}${p.hint ? `\n    fix: ${p.hint}` : ''}`);
    return new ConfigError(first.setting, `${problems.length} settings are invalid:\n${lines.join('\n')}`, {
      problems,
      ...(first.source ? { source: first.source } : {}),
      hint: 'Fix each one, then check with `npx wechat-gpt config`.',
    });
  }
}

export const LlmErrorKind = {
  NotConfigured: 'not_configured',
  Timeout: 'timeout',
  Auth: 'auth',
  RateLimit: 'rate_limit',
  Server: 'server',
  Connection: 'connection',
  Stream: 'stream',
  BadRequest: 'bad_request',
} as const;
export type LlmErrorKind = (typeof LlmErrorKind)[keyof typeof LlmErrorKind];

/** The model could not answer. `kind` picks the friendly text the user sees. */
export class LlmError extends WechatGptError<`LLM_${Uppercase<LlmErrorKind>}`> {
  readonly kind: LlmErrorKind;
  /** Whether trying again may help (timeouts, 429, 5xx, connection, broken stream). */
  readonly retryable: boolean;
  /** How long the server asked us to wait (Retry-After / retry-after-ms), for rate_limit and 5xx answers. */
  readonly retryAfterMs: number | undefined;
  constructor(
    kind: LlmErrorKind,
    message: string,
    options: WechatGptErrorOptions & { retryable?: boolean; retryAfterMs?: number } = {},
  ) {
    super(`LLM_${kind.toUpperCase() as Uppercase<LlmErrorKind>}`, message, options);
    this.kind = kind;
    this.retryable = options.retryable ?? ['timeout', 'rate_limit', 'server', 'connection', 'stream'].includes(kind);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** api.weixin.qq.com answered with an errcode, or could not be reached (errcode -1 then). */
export class WechatApiError extends WechatGptError<'WECHAT_API_ERROR' | 'WECHAT_API_UNREACHABLE'> {
  readonly errcode: number;
  readonly errmsg: string;
  constructor(errcode: number, errmsg: string, options: WechatGptErrorOptions = {}) {
    super(errcode === -1 ? 'WECHAT_API_UNREACHABLE' : 'WECHAT_API_ERROR', `WeChat API error ${errcode}: ${errmsg}`, {
      status: 502,
      ...options,
    });
    this.errcode = errcode;
    this.errmsg = errmsg;
  }
}

/** The store's backend (Redis) cannot be reached or answered wrongly. */
export class StoreError extends WechatGptError<'STORE_UNAVAILABLE'> {
  constructor(message: string, options: WechatGptErrorOptions = {}) {
    super('STORE_UNAVAILABLE', message, {
      status: 503,
      hint: 'Check that Redis is running and REDIS_URL points at it.',
      ...options,
    });
  }
}

export type TunnelErrorCode = 'TUNNEL_AUTH' | 'TUNNEL_NETWORK' | 'TUNNEL_DOMAIN' | 'TUNNEL_FAILED';
/** The tunnel (ngrok) could not be opened. The hint says how to fix it. */
export class TunnelError extends WechatGptError<TunnelErrorCode> {}
