/** The knowledge base's errors: each with a code and a hint saying what to do. */
import { WechatGptError } from '../errors.js';

export type KbErrorCode = 'KB_MISSING' | 'KB_INVALID' | 'KB_NO_DOCUMENTS' | 'KB_EMBEDDINGS';

export class KbError extends WechatGptError<KbErrorCode> {}
