/** Identifiers the way WeChat makes them: 64-bit MsgIds as decimal strings, numeric nonces, a test user and account. */
import { randomBytes, randomInt } from 'node:crypto';

/** The simulated user's openid (28 characters, like a real one). */
export const DEFAULT_OPENID = 'oSimUser00000000000000000001';
/** The simulated account's original id (原始 ID). */
export const DEFAULT_ACCOUNT = 'gh_000000000sim';

const MIN_MSG_ID = 10n ** 17n;
const MAX_MSG_ID = 2n ** 63n - 1n;

/** A fresh MsgId above 2^53, so anything that turns it into a JS number breaks visibly. */
export function newMsgId(): string {
  const random = randomBytes(8).readBigUInt64BE();
  return (MIN_MSG_ID + (random % (MAX_MSG_ID - MIN_MSG_ID))).toString();
}

/** WeChat's nonces are decimal digits (e.g. 415670741). */
export function newNonce(): string {
  return String(randomInt(100_000_000, 2_000_000_000));
}

/** A 19-digit echostr, like the one 服务器配置 sends with the URL check. */
export function newEchostr(): string {
  return `${randomInt(1, 10)}${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
}
