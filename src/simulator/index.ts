/** The WeChat side, emulated: sends messages like WeChat's servers, judges the answers, runs the URL check. */
export {
  type AttemptEvent,
  type AttemptOutcome,
  type DeliverOptions,
  type DeliverResult,
  type DeliveryAttempt,
  deliver,
} from './deliver.js';
export type { Exchange, FetchLike } from './http.js';
export { DEFAULT_ACCOUNT, DEFAULT_OPENID, newEchostr, newMsgId, newNonce } from './ids.js';
export {
  CREATE_TIME_WINDOW_SEC,
  describeReply,
  ERROR_PAGE_TEXT,
  type JudgeInput,
  judgeReply,
  MAX_TEXT_BYTES,
  type Verdict,
} from './judge.js';
export { type CompleteOptions, completeMessage, type SimulatedMessage } from './message.js';
export { type SignedRequest, type SignRequestOptions, type SimulatedMode, signRequest } from './sign.js';
export { type VerifyUrlOptions, type VerifyUrlResult, verifyUrl } from './verify-url.js';
