/**
 * The one schema of the configuration (zod): its TypeScript types, its defaults, its checks and their messages, and,
 * through `.meta()`, each setting's description, environment variable, flag and secrecy. Everything else — the
 * loader, `init`'s .env, `config`, --help, the editor's JSON Schema, the README tables — is made from it.
 *
 * To add a setting: add one field here (type, limits, `.default()`, and `.meta({ description })`; add `env`/`flag`
 * to the meta when people should set it without the config file). Nothing else needs to change.
 */
import * as z from 'zod';
import { validateEncodingAesKey, validateToken } from '../wechat/keys.js';
import { DEFAULT_OUTBOX_TTL_MS } from './defaults.js';
import { DEFAULT_SYSTEM_PROMPT, defaultCommands, defaultTexts, textDescriptions } from './texts.js';

declare module 'zod' {
  interface GlobalMeta {
    /** The environment variable (also read from .env). */
    env?: string;
    /** The commander flag, e.g. `--port <number>`. Secrets never get one: flags show up in `ps`. */
    flag?: string;
    /** A shorter text for the flag in a command's --help. */
    flagHelp?: string;
    /** Masked in every output; read from the environment and .env (a warning when it sits in the config file). */
    secret?: boolean;
    /** The placeholder value in the .env that `init` writes. */
    example?: string;
    /** What to do when the value is refused. */
    hint?: string;
  }
}

const SERVER_CONFIG = '公众平台 → 开发 → 基本配置 → 服务器配置';
const BASIC_CONFIG = '公众平台 → 开发 → 基本配置';

/** A check with a message computed from the value (the key validators say precisely what is wrong). */
function checked(problemOf: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const problem = problemOf(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
  });
}

const httpUrl = () =>
  z.url({ protocol: /^https?$/, error: 'must be a full http(s) URL' }).transform((url) => url.replace(/\/+$/, ''));

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;

const ms = (fallback: number, min: number, description: string) =>
  z
    .int()
    .min(min)
    .default(fallback)
    .meta({ description: `${description} (ms)` });

export const wechatSchema = z.strictObject({
  token: checked(validateToken).meta({
    description: `The Token you enter in ${SERVER_CONFIG} (3–32 letters and digits).`,
    env: 'WECHAT_TOKEN',
    secret: true,
    pattern: '^[A-Za-z0-9]{3,32}$',
    hint: `Use the Token from ${SERVER_CONFIG}, or remove WECHAT_TOKEN and run \`npx wechat-gpt init\` to generate one.`,
  }),
  encodingAesKey: checked(validateEncodingAesKey)
    .optional()
    .meta({
      description: `The EncodingAESKey of ${SERVER_CONFIG} (43 characters), for 兼容模式 and 安全模式.`,
      env: 'WECHAT_AES_KEY',
      secret: true,
      pattern: '^[A-Za-z0-9]{43}$',
      hint: `Copy EncodingAESKey again from ${SERVER_CONFIG}, or run \`npx wechat-gpt init --force\` to generate one and paste it there.`,
    }),
  appId: z
    .string()
    .trim()
    .regex(/^wx[0-9a-fA-F]{16}$/, 'must be "wx" and 16 hex digits')
    .optional()
    .meta({
      description: `The AppID (开发者ID) from ${BASIC_CONFIG}; needed for 安全模式 and pushing late answers.`,
      env: 'WECHAT_APP_ID',
      flag: '--app-id <appid>',
      flagHelp: 'AppID (开发者ID)',
      example: 'wx1234567890abcdef',
      hint: `Copy AppID (开发者ID) from ${BASIC_CONFIG}, e.g. wx1234567890abcdef.`,
    }),
  appSecret: z
    .string()
    .trim()
    .regex(/^[0-9A-Za-z]{32}$/, 'must be 32 letters and digits')
    .optional()
    .meta({
      description: `The AppSecret (开发者密码) from ${BASIC_CONFIG}; lets the bot push late answers.`,
      env: 'WECHAT_APP_SECRET',
      secret: true,
      hint: `Copy AppSecret (开发者密码) from ${BASIC_CONFIG} (reset it there if you lost it).`,
    }),
  apiBase: httpUrl().default('https://api.weixin.qq.com').meta({
    description: 'Base URL of the WeChat server API (tests point it at a local fake).',
    env: 'WECHAT_API_BASE',
    example: 'https://api.weixin.qq.com',
    hint: 'Use a complete URL such as https://api.weixin.qq.com.',
  }),
});

export const llmSchema = z.strictObject({
  apiKey: z.string().trim().min(1, 'must not be empty').optional().meta({
    description: 'API key of OpenAI or any OpenAI-compatible service (DeepSeek, Qwen, Moonshot…).',
    env: 'OPENAI_API_KEY',
    secret: true,
  }),
  baseUrl: httpUrl().optional().meta({
    description: 'OpenAI-compatible base URL, e.g. https://api.deepseek.com/v1 (default: OpenAI).',
    env: 'OPENAI_BASE_URL',
    flag: '--base-url <url>',
    flagHelp: 'OpenAI-compatible base URL',
    example: 'https://api.deepseek.com/v1',
    hint: 'Use a complete URL such as https://api.deepseek.com/v1.',
  }),
  model: z.string().trim().min(1, 'must not be empty').default('gpt-4o-mini').meta({
    description: 'The model, e.g. gpt-4o-mini or deepseek-chat.',
    env: 'OPENAI_MODEL',
    flag: '--model <name>',
    flagHelp: 'model name, e.g. deepseek-chat',
    example: 'gpt-4o-mini',
  }),
  visionModel: z.string().min(1).optional().meta({ description: 'Model for messages with images (default: model).' }),
  transcriptionModel: z
    .string()
    .min(1)
    .default('whisper-1')
    .meta({ description: "Model for speech-to-text of voice messages without WeChat's recognition." }),
  imageModel: z.string().min(1).default('dall-e-3').meta({ description: 'Model for the image command (/画).' }),
  temperature: z.number().min(0).max(2).optional().meta({ description: 'Sampling temperature, 0–2.' }),
  maxTokens: z.int().min(1).optional().meta({ description: 'Most tokens in one answer.' }),
  systemPrompt: z
    .string()
    .default(DEFAULT_SYSTEM_PROMPT)
    .meta({ description: 'The system prompt: who the bot is and how it answers.' }),
  stream: z.boolean().default(true).meta({ description: 'Stream answers from the model.' }),
  timeoutMs: ms(60_000, 1000, 'Abandon one model call after this long'),
  maxRetries: z.int().min(0).max(5).default(1).meta({ description: 'Retries of retryable model failures.' }),
});

export const sessionSchema = z.strictObject({
  maxTurns: z.int().min(0).default(10).meta({ description: 'User+assistant pairs kept.' }),
  maxTokens: z
    .int()
    .min(0)
    .default(3000)
    .meta({ description: 'Rough token budget for the history sent to the model.' }),
  idleMs: ms(30 * 60_000, 0, 'Forget a conversation after this long without messages'),
});

export const timingSchema = z
  .strictObject({
    wechatTimeoutMs: ms(5000, 1, 'How long WeChat waits for a response before retrying'),
    replyBudgetMs: ms(4500, 1, 'How long one attempt waits for the answer before giving up on that attempt'),
    attempts: z.int().min(1).max(10).default(3).meta({ description: 'Deliveries of one message by WeChat.' }),
    replayWindowSec: z
      .int()
      .min(0)
      .default(300)
      .meta({ description: "Allowed clock skew of a request's timestamp (s); 0 disables the check." }),
    jobTtlMs: ms(10 * 60_000, 1, 'How long a job, its result and dedupe marks are kept'),
    outboxTtlMs: ms(DEFAULT_OUTBOX_TTL_MS, 1, 'How long an outbox answer waits for the user'),
  })
  .meta({ description: "WeChat's 5-second rule. Change only to test or if WeChat changes." });

const words = (fallback: string[], description: string) =>
  z.array(z.string().min(1)).default(fallback).meta({ description });

export const commandsSchema = z
  .strictObject({
    reset: words(defaultCommands.reset, 'Words that clear the conversation.'),
    help: words(defaultCommands.help, 'Words that show the help text.'),
    continue: words(defaultCommands.continue, 'Words that fetch a waiting answer or the next page.'),
    image: words(defaultCommands.image, 'Prefixes that ask for a picture: /画 一只猫.'),
  })
  .meta({ description: 'Words users send to control the bot.' });

export const mediaSchema = z
  .strictObject({
    ffmpegPath: z
      .string()
      .min(1)
      .default('ffmpeg')
      .meta({ description: "ffmpeg converts WeChat's AMR/Speex voice for transcription." }),
    transcribeVoice: z
      .boolean()
      .default(true)
      .meta({ description: 'Transcribe voice without WeChat’s Recognition (needs AppID/AppSecret and ffmpeg).' }),
  })
  .meta({ description: "Voice transcription without WeChat's own recognition." });

const article = z.strictObject({
  title: z.string(),
  description: z.string().optional(),
  picUrl: z.url().optional(),
  url: z.url().optional(),
});

export const ruleReplySchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), content: z.string().min(1) }),
  z.strictObject({ type: z.literal('news'), articles: z.array(article).min(1).max(8) }),
  z.strictObject({ type: z.literal('image'), mediaId: z.string().min(1) }),
]);

export const keywordRuleSchema = z
  .strictObject({
    match: z.enum(['exact', 'contains', 'regex']).meta({
      description:
        'exact: the whole message (trimmed, case-insensitive); contains: anywhere; regex: a JavaScript pattern.',
    }),
    pattern: z.string().min(1),
    reply: ruleReplySchema,
    menu: z
      .boolean()
      .optional()
      .meta({ description: 'Also answer menu CLICK events whose EventKey matches (default true).' }),
  })
  // Compiled the way the bot compiles it, so a bad pattern fails at start, not on a user's message.
  .superRefine((rule, ctx) => {
    if (rule.match !== 'regex') return;
    try {
      new RegExp(rule.pattern, 'iu');
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        path: ['pattern'],
        input: rule.pattern,
        message: `is not a valid regular expression: ${(error as Error).message}`,
        params: {
          hint: 'Fix the regular expression (JavaScript syntax; in JSON, write \\\\d for \\d), or use "match": "contains".',
        },
      });
    }
  });

type TextKey = Exclude<keyof typeof defaultTexts, 'llmErrors'>;
type LlmErrorKey = keyof typeof defaultTexts.llmErrors;

function textFields<K extends string>(
  defaults: Record<K, string>,
  describe: Partial<Record<K, string>> = {},
): { [P in K]: z.ZodDefault<z.ZodString> } {
  const entries = (Object.keys(defaults) as K[]).map((key) => {
    const field = z.string().default(defaults[key]);
    const description = describe[key];
    return [key, description ? field.meta({ description }) : field] as const;
  });
  return Object.fromEntries(entries) as { [P in K]: z.ZodDefault<z.ZodString> };
}

const { llmErrors: defaultLlmErrors, ...defaultPlainTexts } = defaultTexts;

export const textsSchema = z
  .strictObject({
    ...textFields<TextKey>(defaultPlainTexts, textDescriptions),
    llmErrors: z
      .strictObject(textFields<LlmErrorKey>(defaultLlmErrors))
      .prefault({})
      .meta({ description: 'The friendly texts for each kind of model failure.' }),
  })
  .meta({ description: 'What the bot says to WeChat users (welcome, notices, errors).' });

export const limitsSchema = z.strictObject({
  maxBodyBytes: z
    .int()
    .min(1024)
    .default(64 * 1024)
    .meta({ description: 'Largest accepted request body (bytes).' }),
  maxReplyBytes: z.int().min(256).max(2048).default(2048).meta({
    description: 'Largest text reply in UTF-8 bytes; longer answers are split into pages.',
    hint: 'WeChat accepts text replies up to 2048 bytes; leave the default unless you need shorter pages (256 or more).',
  }),
  userMessagesPerMinute: z.int().min(0).default(20).meta({ description: 'Messages per user per minute; 0 disables.' }),
  maxConcurrentLlmCalls: z
    .int()
    .min(1)
    .default(32)
    .meta({ description: 'Model calls running at once in this process.' }),
});

/** What the library resolves: everything but the injected objects (store, fetch, clock, logger). */
export const settingsShape = {
  wechat: wechatSchema.meta({ description: `The Official Account (${BASIC_CONFIG}).` }),
  path: z
    .string()
    .trim()
    .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/, 'must start with "/" and be a plain URL path')
    .default('/wechat')
    .meta({
      description: 'The webhook path; the URL in 服务器配置 is the public URL plus this path.',
      flag: '--path <path>',
      flagHelp: 'webhook path (default /wechat)',
      hint: 'Use a path such as /wechat.',
    }),
  llm: llmSchema.prefault({}).meta({ description: 'The model (any OpenAI-compatible API).' }),
  session: sessionSchema.prefault({}).meta({ description: 'Conversation memory.' }),
  timing: timingSchema.prefault({}),
  delivery: z.enum(['passive', 'active', 'auto']).default('auto').meta({
    description:
      "passive: answer inside WeChat's 3 attempts, else on the next message; active: push late answers with the customer-service API (verified accounts); auto: active when it works.",
  }),
  commands: commandsSchema.prefault({}),
  media: mediaSchema.prefault({}),
  keywords: z.array(keywordRuleSchema).default([]).meta({
    description: 'Fixed answers, checked before the model. Also answer menu CLICK events whose EventKey matches.',
  }),
  texts: textsSchema.prefault({}),
  limits: limitsSchema.prefault({}),
};

export const serveSchema = z
  .strictObject({
    port: z.int('must be a port number 0–65535').min(0).max(65535).default(3000).meta({
      description: 'The port the webhook listens on (0: any free port).',
      env: 'PORT',
      flag: '-p, --port <number>',
      flagHelp: 'port to listen on (default 3000)',
      example: '3000',
      hint: 'Use a free port such as 3000.',
    }),
    host: z.string().trim().regex(/^\S+$/, 'must be an address').default('0.0.0.0').meta({
      description: 'The address to listen on (0.0.0.0: every interface).',
      flag: '--host <address>',
      flagHelp: 'address to listen on (default 0.0.0.0)',
      hint: 'Use 0.0.0.0 or 127.0.0.1.',
    }),
    tunnel: z.enum(['auto', 'ngrok', 'none']).default('auto').meta({
      description: 'auto: open an ngrok tunnel when NGROK_AUTHTOKEN is set and no publicUrl is given.',
    }),
    publicUrl: httpUrl().optional().meta({
      description: 'Your public URL when you expose the port yourself (turns the tunnel off).',
      flag: '--public-url <url>',
      flagHelp: 'your own public URL (turns the tunnel off)',
      hint: 'Use a complete URL such as https://bot.example.com.',
    }),
    domain: z
      .string()
      // People paste the URL from the dashboard; the host is what ngrok wants.
      .transform((raw) =>
        raw
          .trim()
          .replace(/^https?:\/\//i, '')
          .replace(/\/+$/, '')
          .toLowerCase(),
      )
      .pipe(z.string().regex(DOMAIN, 'must be a domain name'))
      .optional()
      .meta({
        description: 'Your reserved ngrok domain (free accounts get one static domain), for a URL that never changes.',
        env: 'NGROK_DOMAIN',
        flag: '--domain <domain>',
        flagHelp: 'your reserved ngrok domain',
        example: 'example.ngrok-free.app',
        hint: 'Use the domain shown at https://dashboard.ngrok.com/domains, e.g. example.ngrok-free.app.',
      }),
    ngrokAuthtoken: z.string().trim().min(1, 'must not be empty').optional().meta({
      description:
        'ngrok authtoken (https://dashboard.ngrok.com/get-started/your-authtoken): gives the webhook a public URL.',
      env: 'NGROK_AUTHTOKEN',
      secret: true,
    }),
    redisUrl: z
      .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
      .optional()
      .meta({
        description: 'Keep conversations and answers in Redis (redis://…) instead of memory, to survive restarts.',
        env: 'REDIS_URL',
        flag: '--redis-url <url>',
        flagHelp: 'keep state in Redis (redis://…)',
        example: 'redis://127.0.0.1:6379',
        hint: 'Use e.g. redis://127.0.0.1:6379.',
      }),
    redisConnectTimeoutMs: z.int().min(1).default(5000).meta({
      description: 'How long serve waits for Redis at start before giving up (ms).',
      env: 'REDIS_CONNECT_TIMEOUT_MS',
    }),
  })
  .meta({ description: 'How `wechat-gpt serve` runs.' });

const settingsObject = z.strictObject(settingsShape);

/** The library's configuration (createWechatGpt): the Token is required; the AES key needs the AppID. */
export const librarySchema = settingsObject.superRefine((config, ctx) => {
  if (config.wechat.encodingAesKey && !config.wechat.appId) {
    ctx.addIssue({
      code: 'custom',
      path: ['wechat', 'appId'],
      input: config.wechat.appId,
      message: 'is needed with an EncodingAESKey: encrypted messages carry the AppID',
      params: { hint: `Set WECHAT_APP_ID to the AppID (开发者ID) shown in ${BASIC_CONFIG}.` },
    });
  }
});

/**
 * wechat-gpt.config.json, and what the CLI builds from flags, the environment and .env: the library's settings
 * (the Token may come later: serve generates one) and `serve`.
 */
export const configFileSchema = settingsObject
  .extend({
    $schema: z.string().optional().meta({ description: 'Where editors find this schema.' }),
    wechat: wechatSchema
      .partial({ token: true })
      .prefault({})
      .meta({ description: `The Official Account (${BASIC_CONFIG}).` }),
    serve: serveSchema.prefault({}),
  })
  .meta({
    title: 'wechat-gpt configuration',
    description:
      "wechat-gpt.config.json: the bot's behaviour. Secrets (WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APP_SECRET, OPENAI_API_KEY, NGROK_AUTHTOKEN) belong in .env, which is not committed. Precedence: flags > environment > .env > this file > defaults.",
  });
