/** The WeChat protocol core: signatures, 安全模式 crypto, inbound parsing and passive replies. Pure, no I/O. */
export {
  buildEncryptedReply,
  type Cipher,
  createCipher,
  type DecryptInput,
  decodeAesKey,
  decrypt,
  type EncryptedEnvelope,
  type EncryptedReplyInput,
  type EncryptInput,
  encrypt,
  parseEncryptedReply,
} from './crypto.js';
export { type EncryptedBody, extractEncrypted } from './encrypted-body.js';
export { DecryptError, ProtocolError, ProtocolErrorCode, SignatureError, WechatGptError } from './errors.js';
export { generateEncodingAesKey, generateToken, validateEncodingAesKey, validateToken } from './keys.js';
export { buildMessageXml } from './message-xml.js';
export { parseMessage } from './parse.js';
export { buildReplyXml, MAX_ARTICLES, MAX_ARTICLES_FOR_USER_MESSAGE, type ReplyEnvelope, replyTo } from './reply.js';
export { type ParsedReply, parseReplyXml } from './reply-parse.js';
export {
  computeMsgSignature,
  computeSignature,
  type MsgSignatureInput,
  type SignatureInput,
  safeEqual,
  sha1Sorted,
  verifyMsgSignature,
  verifySignature,
} from './signature.js';
export type * from './types.js';
export { cdata, parseXmlFields, xmlSafeText } from './xml.js';
