/** The root of wechat-gpt's error tree, and the protocol errors. Lives here because src/wechat imports nothing else. */

export interface WechatGptErrorOptions {
  /** What the user (operator) should do next. */
  hint?: string;
  cause?: unknown;
  /** The HTTP status the webhook answers with when this error ends a request. */
  status?: number;
}

export class WechatGptError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly hint: string | undefined;
  readonly status: number;

  constructor(code: Code, message: string, { hint, cause, status = 500 }: WechatGptErrorOptions = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
    this.status = status;
  }
}

export const ProtocolErrorCode = {
  SignatureMissing: 'SIGNATURE_MISSING',
  SignatureInvalid: 'SIGNATURE_INVALID',
  TimestampOutOfWindow: 'TIMESTAMP_OUT_OF_WINDOW',
  DecryptFailed: 'DECRYPT_FAILED',
  XmlForbidden: 'XML_FORBIDDEN',
  XmlMalformed: 'XML_MALFORMED',
  XmlMissingField: 'XML_MISSING_FIELD',
  BodyTooLarge: 'BODY_TOO_LARGE',
  ReplyInvalid: 'REPLY_INVALID',
  KeyInvalid: 'KEY_INVALID',
} as const;
export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

/** A request that must not be trusted: missing/forged signature, or a replayed timestamp. HTTP 401. */
export class SignatureError extends WechatGptError<
  'SIGNATURE_MISSING' | 'SIGNATURE_INVALID' | 'TIMESTAMP_OUT_OF_WINDOW'
> {
  constructor(
    code: 'SIGNATURE_MISSING' | 'SIGNATURE_INVALID' | 'TIMESTAMP_OUT_OF_WINDOW',
    message: string,
    options: WechatGptErrorOptions = {},
  ) {
    super(code, message, {
      status: 401,
      hint: 'Check that the Token in 服务器配置 matches WECHAT_TOKEN exactly.',
      ...options,
    });
  }
}

/**
 * Any failure to decrypt: bad base64, block size, padding, length field or AppID. Always the same code and the same
 * message, so the response never tells an attacker which check failed (no padding oracle). HTTP 400.
 */
export class DecryptError extends WechatGptError<'DECRYPT_FAILED'> {
  constructor(options: WechatGptErrorOptions = {}) {
    super('DECRYPT_FAILED', 'The encrypted message could not be decrypted.', {
      status: 400,
      hint: 'Check that EncodingAESKey and AppID match 服务器配置 and the account (WECHAT_AES_KEY, WECHAT_APP_ID).',
      ...options,
    });
  }
}

/** Malformed input or a reply that breaks a protocol rule. HTTP 400 (413 for a body over the cap). */
export class ProtocolError extends WechatGptError<
  'XML_FORBIDDEN' | 'XML_MALFORMED' | 'XML_MISSING_FIELD' | 'BODY_TOO_LARGE' | 'REPLY_INVALID' | 'KEY_INVALID'
> {
  constructor(
    code: 'XML_FORBIDDEN' | 'XML_MALFORMED' | 'XML_MISSING_FIELD' | 'BODY_TOO_LARGE' | 'REPLY_INVALID' | 'KEY_INVALID',
    message: string,
    options: WechatGptErrorOptions = {},
  ) {
    super(code, message, { status: code === 'BODY_TOO_LARGE' ? 413 : 400, ...options });
  }
}
