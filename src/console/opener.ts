/**
 * Opens the 安全模式 envelopes the console's history keeps (a request's body, an encrypted reply) with the account's
 * EncodingAESKey, so that it need not also keep the decrypted XML of each: read again only when a page asks.
 */
import { decodeAesKey, decrypt, extractEncrypted } from '../wechat/index.js';
import type { Opener } from './record.js';

/** The account's keys, once known (the console learns them when attached to a server). */
export type AccountKeys = () => { encodingAesKey?: string | undefined; appId?: string | undefined } | undefined;

export function createOpener(account: AccountKeys): Opener {
  let decoded: { encodingAesKey: string; aesKey: Buffer } | undefined;
  const key = (): Buffer | undefined => {
    const encodingAesKey = account()?.encodingAesKey;
    if (!encodingAesKey) return undefined;
    if (decoded?.encodingAesKey !== encodingAesKey) {
      decoded = { encodingAesKey, aesKey: decodeAesKey(encodingAesKey) };
    }
    return decoded.aesKey;
  };
  return {
    ready: () => account()?.encodingAesKey !== undefined,
    open(envelope) {
      try {
        const aesKey = key();
        const encrypted = extractEncrypted(envelope)?.encrypt;
        if (!aesKey || encrypted === undefined) return undefined;
        return decrypt({ aesKey, appId: account()?.appId ?? '', encrypted });
      } catch {
        return undefined;
      }
    },
  };
}
