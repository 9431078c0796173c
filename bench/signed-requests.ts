/**
 * Requests as WeChat's servers send them, for load generation: every one a new user and a new MsgId (so dedupe and
 * the per-user rate limit never short-cut the work), signed with the current time (the replay window is ±300 s).
 */
import { buildMessageXml, computeMsgSignature, computeSignature, encrypt } from '../src/wechat/index.js';
import { cdata } from '../src/wechat/xml.js';

export type BenchMode = 'plain' | 'safe';

export interface SignedRequest {
  /** Path and query. */
  path: string;
  body: string;
}

export interface RequestFactoryOptions {
  mode: BenchMode;
  path: string;
  token: string;
  encodingAesKey: string;
  appId: string;
  account: string;
  /** The text every message carries. */
  content: string;
  /** A text message (default), or a subscribe event (a new follower). */
  kind?: 'text' | 'subscribe';
  /** Keeps the MsgIds and openids of separate factories apart. */
  prefix: string;
}

/** Makes the next unique signed request on each call, stamped (CreateTime, timestamp) with the given second. */
export type RequestFactory = (second?: number) => SignedRequest;

/** Makes the next unique signed request on each call. */
export function createRequestFactory({
  mode,
  path,
  token,
  encodingAesKey,
  appId,
  account,
  content,
  prefix,
  kind = 'text',
}: RequestFactoryOptions): RequestFactory {
  let counter = 0;
  // A plain-mode signature covers only token, timestamp and nonce: one per second serves every body of that second.
  let plainQuery = { second: -1, query: '' };
  const querySigned = (second: number) => {
    if (plainQuery.second !== second) {
      const timestamp = String(second);
      const nonce = String(second % 1_000_000_007);
      const signature = computeSignature(token, timestamp, nonce);
      plainQuery = { second, query: `signature=${signature}&timestamp=${timestamp}&nonce=${nonce}` };
    }
    return plainQuery.query;
  };

  return function nextSignedRequest(second = currentSecond()): SignedRequest {
    counter++;
    const openid = `oBench${prefix}x${counter}`;
    const xml =
      kind === 'subscribe'
        ? buildMessageXml({ type: 'event', event: 'subscribe', toUser: account, fromUser: openid, createTime: second })
        : buildMessageXml({
            type: 'text',
            toUser: account,
            fromUser: openid,
            createTime: second,
            content,
            msgId: `${prefix}${String(counter).padStart(12, '0')}`,
          });
    if (mode === 'plain') return { path: `${path}?${querySigned(second)}&openid=${openid}`, body: xml };

    const timestamp = String(second);
    const nonce = String(counter);
    const sealed = encrypt({ aesKey: encodingAesKey, appId, message: xml });
    const query =
      `signature=${computeSignature(token, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}` +
      `&openid=${openid}&encrypt_type=aes&msg_signature=${computeMsgSignature(token, timestamp, nonce, sealed)}`;
    return {
      path: `${path}?${query}`,
      body: `<xml><ToUserName>${cdata(account)}</ToUserName><Encrypt>${cdata(sealed)}</Encrypt></xml>`,
    };
  };
}

const currentSecond = () => Math.floor(Date.now() / 1000);

/**
 * Requests made ahead (so signing costs the load generator nothing while it measures), then made on the fly when the
 * pool runs out.
 */
export function createRequestPool(next: () => SignedRequest, size: number): () => SignedRequest {
  const pool = Array.from({ length: size }, next);
  let taken = 0;
  return function takeSignedRequest() {
    return taken < pool.length ? pool[taken++]! : next();
  };
}

/**
 * Requests made ahead for each second of a timed run, each stamped with the second it is sent in: a message's
 * CreateTime is always fresh, as WeChat's first attempt is. (A message that is seconds old when it arrives reads as a
 * retry whose first attempt was lost, and the bot waits for that attempt's owner before answering: a pool made at the
 * start of a run would measure that wait instead of the answer.) Made on the fly when a second's share runs out.
 */
export function createTimedRequestPool(next: RequestFactory, perSecond: number, seconds: number): () => SignedRequest {
  const first = currentSecond();
  const buckets = Array.from({ length: seconds + 2 }, (_, i) =>
    Array.from({ length: perSecond }, () => next(first + i)),
  );
  const taken = buckets.map(() => 0);
  return function takeTimedRequest() {
    const i = currentSecond() - first;
    const bucket = buckets[i];
    if (!bucket || taken[i]! >= bucket.length) return next();
    return bucket[taken[i]!++]!;
  };
}
