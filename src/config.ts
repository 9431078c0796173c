/** The one typed configuration object: what users pass to createWechatGpt, its defaults, and its validation. */
import { ConfigError } from './errors.js';
import type { Store } from './store/types.js';
import { validateEncodingAesKey, validateToken } from './wechat/keys.js';
import type { Article } from './wechat/types.js';

export type DeliveryMode = 'passive' | 'active' | 'auto';

/** A reply a keyword rule (or a custom handler) gives. */
export type RuleReply =
  | { type: 'text'; content: string }
  | { type: 'news'; articles: Article[] }
  | { type: 'image'; mediaId: string };

export interface KeywordRule {
  /** exact: the whole message (trimmed, case-insensitive); contains: anywhere; regex: a JavaScript pattern. */
  match: 'exact' | 'contains' | 'regex';
  pattern: string;
  reply: RuleReply;
  /** Also answer menu CLICK events whose EventKey matches (default true). */
  menu?: boolean;
}

export interface Texts {
  /** Sent on subscribe. `{scene}` is replaced with the QR scene when there is one. */
  welcome: string;
  help: string;
  /** Answered on the last attempt when the model is still thinking. */
  thinking: string;
  /** Appended to each page of a long answer but the last: `{next}` (the next page's number) and `{pages}` are replaced. */
  morePages: string;
  /** The continue word with nothing waiting. */
  nothingPending: string;
  reset: string;
  notConfigured: string;
  voiceNeedsRecognition: string;
  video: string;
  unsupported: string;
  rateLimited: string;
  busy: string;
  /** The friendly texts for each kind of model failure. */
  llmErrors: {
    timeout: string;
    auth: string;
    rate_limit: string;
    server: string;
    connection: string;
    stream: string;
    bad_request: string;
  };
  /** Something of ours broke: never WeChat's error page. */
  internalError: string;
  /** Prefix for a waiting answer delivered on the user's next message. `{question}` is a short quote of it. */
  waitingAnswer: string;
  /** Appended when a new question is still being answered while a waiting one is delivered. */
  newQuestionPending: string;
  /** The same, when the new answer will be pushed (active delivery). */
  newQuestionPushed: string;
  storeDown: string;
  /** The image command without a description. `{command}` is the command word. */
  imageUsage: string;
  /** The image command when AppID/AppSecret are missing (an image reply needs the media upload API). */
  imageNeedsApi: string;
  imageFailed: string;
  /** A voice message whose download or transcription failed. */
  voiceFailed: string;
  /** The continue word, when the answer being prepared was lost (its instance stopped without finishing it). */
  answerLost: string;
}

export interface WechatGptConfig {
  wechat: {
    /** 3–32 chars of [A-Za-z0-9]: the Token of 服务器配置. */
    token: string;
    /** The EncodingAESKey (43 chars). Needed for 兼容模式 and 安全模式. */
    encodingAesKey?: string;
    appId?: string;
    appSecret?: string;
    /** Base URL of the WeChat server API (tests point it at a local fake). */
    apiBase?: string;
  };
  /** The webhook path (default /wechat). */
  path?: string;
  llm?: {
    apiKey?: string;
    baseUrl?: string;
    model?: string;
    /** Model for messages with images (default: model). */
    visionModel?: string;
    /** Model for speech-to-text of voice messages without WeChat's recognition (default whisper-1). */
    transcriptionModel?: string;
    /** Model for the image command (default dall-e-3). */
    imageModel?: string;
    temperature?: number;
    maxTokens?: number;
    systemPrompt?: string;
    /** Streaming from the model (default true). */
    stream?: boolean;
    /** Abandon one model call after this long (default 60 s). */
    timeoutMs?: number;
    /** Retries of retryable failures (default 1). */
    maxRetries?: number;
  };
  session?: {
    /** User+assistant pairs kept (default 10). */
    maxTurns?: number;
    /** Rough token budget for the history sent to the model (default 3000). */
    maxTokens?: number;
    /** Forget a conversation after this long without messages (default 30 min). */
    idleMs?: number;
  };
  timing?: {
    /** How long WeChat waits for a response before retrying (5 s). */
    wechatTimeoutMs?: number;
    /** How long one attempt waits for the answer before giving up on that attempt (4.5 s). */
    replyBudgetMs?: number;
    /** Deliveries of one message by WeChat (3). */
    attempts?: number;
    /** Allowed clock skew of the request timestamp, seconds (300). 0 disables the check. */
    replayWindowSec?: number;
    /** How long a job, its result and dedupe marks are kept (default 10 min). */
    jobTtlMs?: number;
    /** How long an outbox answer waits for the user (default 48 h). */
    outboxTtlMs?: number;
    /**
     * Clock skew between WeChat and this server allowed for when the attempt number is read from a message's
     * CreateTime (default 0.4 × wechatTimeoutMs).
     */
    clockSkewMs?: number;
  };
  delivery?: DeliveryMode;
  commands?: {
    reset?: string[];
    help?: string[];
    continue?: string[];
    /** Prefixes that ask for a picture: `/画 一只猫` (default /画, /image). */
    image?: string[];
  };
  media?: {
    /** ffmpeg converts WeChat's AMR/Speex voice for transcription (default `ffmpeg` on PATH). */
    ffmpegPath?: string;
    /** Transcribe voice without WeChat's Recognition (needs AppID/AppSecret and ffmpeg; default true). */
    transcribeVoice?: boolean;
  };
  keywords?: KeywordRule[];
  texts?: Partial<Omit<Texts, 'llmErrors'>> & { llmErrors?: Partial<Texts['llmErrors']> };
  limits?: {
    /** Largest accepted request body (64 KB). */
    maxBodyBytes?: number;
    /** Largest text reply, UTF-8 bytes (2048). */
    maxReplyBytes?: number;
    /** Messages per user per minute (default 20). 0 disables. */
    userMessagesPerMinute?: number;
    /** Model calls running at once in this process (default 32). */
    maxConcurrentLlmCalls?: number;
  };
  /** Where state lives. Default: a bounded in-memory store. */
  store?: Store;
  /** Injected for tests and embedding. */
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  logger?: Logger;
}

export type LogFields = Record<string, unknown>;
/** pino-compatible: `logger.info({fields}, 'message')`. */
export interface Logger {
  debug(fields: LogFields, message?: string): void;
  info(fields: LogFields, message?: string): void;
  warn(fields: LogFields, message?: string): void;
  error(fields: LogFields, message?: string): void;
  /** pino has it: lets callers skip building log fields nobody will see. */
  isLevelEnabled?(level: 'debug' | 'info' | 'warn' | 'error'): boolean;
}

export const defaultTexts: Texts = {
  welcome: '感谢关注！我是 AI 助手，直接发消息就可以和我聊天。\n回复「帮助」查看可用指令。',
  help: '直接发送文字、图片或语音即可提问。\n指令：\n· 继续 —— 获取未发完的回答\n· 清除记忆 —— 开始新的对话\n· 帮助 —— 显示本说明',
  thinking: '正在思考中…回复「继续」获取回答',
  morePages: '\n\n（回复「继续」查看剩余 ({next}/{pages})）',
  nothingPending: '没有待发送的回答了，直接提问吧～',
  reset: '好的，已清除记忆，我们重新开始吧。',
  notConfigured: '机器人尚未配置 AI 模型（缺少 OPENAI_API_KEY），暂时无法回答问题。请联系管理员。',
  voiceNeedsRecognition:
    '暂时无法识别语音。请管理员在公众平台「开发 → 接口权限」中开启「接收语音识别结果」，或者直接发文字给我。',
  video: '收到你的视频啦，不过我暂时看不了视频，可以用文字描述一下吗？',
  unsupported: '暂不支持这种消息，发文字给我试试吧。',
  rateLimited: '你发消息太快啦，请稍等一会儿再试。',
  busy: '现在提问的人太多了，请稍后再试。',
  llmErrors: {
    timeout: '抱歉，AI 模型响应超时了，请稍后再试。',
    auth: '抱歉，AI 模型的密钥无效或已过期，请联系管理员检查配置。',
    rate_limit: '抱歉，AI 模型当前请求过多（限流），请稍后再试。',
    server: '抱歉，AI 模型服务暂时出错了，请稍后再试。',
    connection: '抱歉，暂时连接不上 AI 模型服务，请稍后再试。',
    stream: '抱歉，AI 模型的回答中断了，请再问一次。',
    bad_request: '抱歉，AI 模型无法处理这个请求，换个说法试试？',
  },
  internalError: '抱歉，出了点问题，请稍后再试。',
  waitingAnswer: '你之前问的「{question}」的回答：\n\n',
  newQuestionPending: '\n\n（你的新问题还在思考中，回复「继续」获取）',
  newQuestionPushed: '\n\n（你的新问题还在思考中，想好了马上发给你）',
  storeDown: '系统繁忙（存储暂时不可用），请稍后再试。',
  imageUsage: '用法：{command} 一只在月亮上钓鱼的猫',
  imageNeedsApi: '画图功能需要公众号的 AppID 和 AppSecret（图片要先上传为素材），请联系管理员配置。',
  imageFailed: '抱歉，这张图没画出来，换个描述再试试吧。',
  voiceFailed: '抱歉，这段语音没能识别出来，请再说一次或者直接发文字给我。',
  answerLost: '抱歉，上一个问题的回答没能完成，请再问一次。',
};

export const defaultCommands = {
  reset: ['/reset', '清除记忆', '重置'],
  help: ['/help', '帮助', 'help'],
  continue: ['继续', 'more', '/more'],
  image: ['/画', '/image'],
};

/** The configuration with every default filled in. */
export interface ResolvedConfig {
  wechat: Required<Pick<WechatGptConfig['wechat'], 'token' | 'apiBase'>> &
    Pick<WechatGptConfig['wechat'], 'encodingAesKey' | 'appId' | 'appSecret'>;
  path: string;
  llm: Required<Omit<NonNullable<WechatGptConfig['llm']>, 'apiKey' | 'baseUrl' | 'temperature' | 'maxTokens'>> &
    Pick<NonNullable<WechatGptConfig['llm']>, 'apiKey' | 'baseUrl' | 'temperature' | 'maxTokens'>;
  session: Required<NonNullable<WechatGptConfig['session']>>;
  timing: Required<NonNullable<WechatGptConfig['timing']>>;
  delivery: DeliveryMode;
  commands: Required<NonNullable<WechatGptConfig['commands']>>;
  media: Required<NonNullable<WechatGptConfig['media']>>;
  keywords: KeywordRule[];
  texts: Texts;
  limits: Required<NonNullable<WechatGptConfig['limits']>>;
}

export const DEFAULT_SYSTEM_PROMPT =
  '你是微信公众号里的 AI 助手。用简洁、友好的中文回答；除非用户要求，不要使用 Markdown 表格和标题。';

/** Throws a ConfigError naming the first setting WeChat would not accept. */
export function validateConfig(config: WechatGptConfig): void {
  validateWechat(config.wechat);
  const maxReplyBytes = config.limits?.maxReplyBytes;
  if (maxReplyBytes !== undefined && maxReplyBytes < 256) {
    throw new ConfigError('limits.maxReplyBytes', `maxReplyBytes must be at least 256 (got ${maxReplyBytes}).`, {
      hint: 'WeChat accepts text replies up to 2048 bytes; leave the default unless you need shorter pages.',
    });
  }
}

function validateWechat(wechat: WechatGptConfig['wechat']): void {
  const tokenProblem = validateToken(wechat.token ?? '');
  if (tokenProblem) {
    throw new ConfigError('wechat.token', tokenProblem, {
      hint: 'Use the Token of 服务器配置 (run `wechat-gpt init` to generate one).',
    });
  }
  if (wechat.encodingAesKey) {
    const keyProblem = validateEncodingAesKey(wechat.encodingAesKey);
    if (keyProblem) {
      throw new ConfigError('wechat.encodingAesKey', keyProblem, {
        hint: 'Copy the EncodingAESKey from 服务器配置, or click 随机生成 there and paste it here too.',
      });
    }
    if (!wechat.appId) {
      throw new ConfigError(
        'wechat.appId',
        'An EncodingAESKey is set but no AppID: encrypted messages carry the AppID.',
        {
          hint: 'Set WECHAT_APP_ID to the AppID (开发者ID) shown in 公众平台 → 开发 → 基本配置.',
        },
      );
    }
  }
}

/** Fills in every default; validates first unless told not to (`wechat-gpt config` shows even a broken setup). */
export function resolveConfig(
  config: WechatGptConfig,
  { validate = true }: { validate?: boolean } = {},
): ResolvedConfig {
  if (validate) validateConfig(config);
  const maxReplyBytes = config.limits?.maxReplyBytes ?? 2048;
  const llm = config.llm ?? {};
  const model = llm.model ?? 'gpt-4o-mini';
  const wechatTimeoutMs = config.timing?.wechatTimeoutMs ?? 5000;
  return {
    wechat: {
      token: config.wechat.token,
      encodingAesKey: config.wechat.encodingAesKey || undefined,
      appId: config.wechat.appId || undefined,
      appSecret: config.wechat.appSecret || undefined,
      apiBase: (config.wechat.apiBase ?? 'https://api.weixin.qq.com').replace(/\/+$/, ''),
    },
    path: config.path ?? '/wechat',
    llm: {
      apiKey: llm.apiKey || undefined,
      baseUrl: llm.baseUrl || undefined,
      model,
      visionModel: llm.visionModel ?? model,
      transcriptionModel: llm.transcriptionModel ?? 'whisper-1',
      imageModel: llm.imageModel ?? 'dall-e-3',
      temperature: llm.temperature,
      maxTokens: llm.maxTokens,
      systemPrompt: llm.systemPrompt ?? DEFAULT_SYSTEM_PROMPT,
      stream: llm.stream ?? true,
      timeoutMs: llm.timeoutMs ?? 60_000,
      maxRetries: llm.maxRetries ?? 1,
    },
    session: {
      maxTurns: config.session?.maxTurns ?? 10,
      maxTokens: config.session?.maxTokens ?? 3000,
      idleMs: config.session?.idleMs ?? 30 * 60_000,
    },
    timing: {
      wechatTimeoutMs,
      replyBudgetMs: config.timing?.replyBudgetMs ?? 4500,
      attempts: config.timing?.attempts ?? 3,
      replayWindowSec: config.timing?.replayWindowSec ?? 300,
      jobTtlMs: config.timing?.jobTtlMs ?? 10 * 60_000,
      outboxTtlMs: config.timing?.outboxTtlMs ?? 48 * 3600_000,
      clockSkewMs: config.timing?.clockSkewMs ?? Math.round(0.4 * wechatTimeoutMs),
    },
    delivery: config.delivery ?? 'auto',
    commands: { ...defaultCommands, ...config.commands },
    media: {
      ffmpegPath: config.media?.ffmpegPath ?? 'ffmpeg',
      transcribeVoice: config.media?.transcribeVoice ?? true,
    },
    keywords: config.keywords ?? [],
    texts: {
      ...defaultTexts,
      ...config.texts,
      llmErrors: { ...defaultTexts.llmErrors, ...config.texts?.llmErrors },
    },
    limits: {
      maxBodyBytes: config.limits?.maxBodyBytes ?? 64 * 1024,
      maxReplyBytes,
      userMessagesPerMinute: config.limits?.userMessagesPerMinute ?? 20,
      maxConcurrentLlmCalls: config.limits?.maxConcurrentLlmCalls ?? 32,
    },
  };
}
