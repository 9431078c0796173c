/**
 * The table of settings the CLI reads from flags, the environment and .env: one row each, with its environment name,
 * its flag, whether it is secret, and how to check a raw value. Loader, `config`, `init` and --help all read it.
 */
import { validateEncodingAesKey, validateToken } from '../wechat/keys.js';
import { isHttpUrl } from './schema-check.js';

export type SettingSource = 'flag' | 'env' | '.env' | 'config file' | 'default' | 'generated' | 'state file';

export type TunnelMode = 'auto' | 'ngrok' | 'none';

/** A checked value, or what is wrong and how to fix it. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string; hint: string };

export interface SettingSpec {
  /** The path in wechat-gpt.config.json and in `config` output. */
  key: string;
  env?: string;
  /** The commander flag, e.g. `--port <number>`. Secrets have none: flags show up in `ps` and shell history. */
  flag?: string;
  secret?: boolean;
  /** One line for --help, `config` and the .env that `init` writes. */
  description: string;
  /** A short description for the flag in a command's --help. */
  flagHelp?: string;
  parse(raw: string): Parsed<string | number>;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (problem: string, hint: string): Parsed<never> => ({ ok: false, problem, hint });

const SERVER_CONFIG = '公众平台 → 开发 → 基本配置 → 服务器配置';

function text(raw: string): Parsed<string> {
  return raw.trim() ? ok(raw.trim()) : bad('must not be empty', 'Remove the setting or give it a value.');
}

function httpUrl(example: string) {
  return (raw: string): Parsed<string> =>
    isHttpUrl(raw.trim())
      ? ok(raw.trim().replace(/\/+$/, ''))
      : bad(`must be a full http(s) URL (got "${raw}")`, `Use a complete URL such as ${example}.`);
}

export const SETTINGS = [
  {
    key: 'wechat.token',
    env: 'WECHAT_TOKEN',
    secret: true,
    description: `The Token you enter in ${SERVER_CONFIG} (3–32 letters and digits).`,
    parse: (raw) => {
      const problem = validateToken(raw);
      return problem
        ? bad(
            problem,
            `Use the Token from ${SERVER_CONFIG}, or remove WECHAT_TOKEN and run \`npx wechat-gpt init\` to generate one.`,
          )
        : ok(raw);
    },
  },
  {
    key: 'wechat.encodingAesKey',
    env: 'WECHAT_AES_KEY',
    secret: true,
    description: `The EncodingAESKey of ${SERVER_CONFIG} (43 characters), for 兼容模式 and 安全模式.`,
    parse: (raw) => {
      const problem = validateEncodingAesKey(raw);
      return problem
        ? bad(
            problem,
            `Copy EncodingAESKey again from ${SERVER_CONFIG}, or run \`npx wechat-gpt init --force\` to generate one and paste it there.`,
          )
        : ok(raw);
    },
  },
  {
    key: 'wechat.appId',
    env: 'WECHAT_APP_ID',
    flag: '--app-id <appid>',
    flagHelp: 'AppID (开发者ID)',
    description: 'The AppID (开发者ID) from 公众平台 → 开发 → 基本配置; needed for 安全模式 and pushing late answers.',
    parse: (raw) =>
      /^wx[0-9a-f]{16}$/i.test(raw.trim())
        ? ok(raw.trim())
        : bad(
            `must be "wx" and 16 hex digits (got "${raw}")`,
            'Copy AppID (开发者ID) from 公众平台 → 开发 → 基本配置, e.g. wx1234567890abcdef.',
          ),
  },
  {
    key: 'wechat.appSecret',
    env: 'WECHAT_APP_SECRET',
    secret: true,
    description: 'The AppSecret (开发者密码) from 公众平台 → 开发 → 基本配置; lets the bot push late answers.',
    parse: (raw) =>
      /^[0-9A-Za-z]{32}$/.test(raw.trim())
        ? ok(raw.trim())
        : bad(
            `must be 32 letters and digits (got ${raw.trim().length} characters)`,
            'Copy AppSecret (开发者密码) from 公众平台 → 开发 → 基本配置 (reset it there if you lost it).',
          ),
  },
  {
    key: 'wechat.apiBase',
    env: 'WECHAT_API_BASE',
    description: 'Base URL of the WeChat server API (default https://api.weixin.qq.com).',
    parse: httpUrl('https://api.weixin.qq.com'),
  },
  {
    key: 'llm.apiKey',
    env: 'OPENAI_API_KEY',
    secret: true,
    description: 'API key of OpenAI or any OpenAI-compatible service (DeepSeek, Qwen, Moonshot…).',
    parse: text,
  },
  {
    key: 'llm.baseUrl',
    env: 'OPENAI_BASE_URL',
    flag: '--base-url <url>',
    flagHelp: 'OpenAI-compatible base URL',
    description: 'OpenAI-compatible base URL, e.g. https://api.deepseek.com/v1 (default: OpenAI).',
    parse: httpUrl('https://api.deepseek.com/v1'),
  },
  {
    key: 'llm.model',
    env: 'OPENAI_MODEL',
    flag: '--model <name>',
    flagHelp: 'model name, e.g. deepseek-chat',
    description: 'The model, e.g. gpt-4o-mini or deepseek-chat.',
    parse: text,
  },
  {
    key: 'path',
    flag: '--path <path>',
    flagHelp: 'webhook path (default /wechat)',
    description: 'The webhook path; the URL in 服务器配置 is the public URL plus this path.',
    parse: (raw) =>
      /^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/.test(raw.trim())
        ? ok(raw.trim())
        : bad(`must start with "/" and be a plain URL path (got "${raw}")`, 'Use a path such as /wechat.'),
  },
  {
    key: 'serve.port',
    env: 'PORT',
    flag: '-p, --port <number>',
    flagHelp: 'port to listen on (default 3000)',
    description: 'The port the webhook listens on (0: any free port).',
    parse: (raw) => {
      const port = Number(raw.trim());
      return /^\d+$/.test(raw.trim()) && port <= 65535
        ? ok(port)
        : bad(`must be a port number 0–65535 (got "${raw}")`, 'Use a free port such as 3000.');
    },
  },
  {
    key: 'serve.host',
    flag: '--host <address>',
    flagHelp: 'address to listen on (default 0.0.0.0)',
    description: 'The address to listen on (0.0.0.0: every interface).',
    parse: (raw) =>
      /^\S+$/.test(raw.trim()) ? ok(raw.trim()) : bad(`must be an address (got "${raw}")`, 'Use 0.0.0.0 or 127.0.0.1.'),
  },
  {
    key: 'serve.publicUrl',
    flag: '--public-url <url>',
    flagHelp: 'your own public URL (turns the tunnel off)',
    description: 'Your public URL when you expose the port yourself (turns the tunnel off).',
    parse: httpUrl('https://bot.example.com'),
  },
  {
    key: 'serve.domain',
    env: 'NGROK_DOMAIN',
    flag: '--domain <domain>',
    flagHelp: 'your reserved ngrok domain',
    description: 'Your reserved ngrok domain (free accounts get one static domain), for a URL that never changes.',
    parse: (raw) => {
      // People paste the URL from the dashboard; the host is what ngrok wants.
      const host = raw
        .trim()
        .replace(/^https?:\/\//i, '')
        .replace(/\/+$/, '');
      return /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i.test(host)
        ? ok(host.toLowerCase())
        : bad(
            `must be a domain name (got "${raw}")`,
            'Use the domain shown at https://dashboard.ngrok.com/domains, e.g. example.ngrok-free.app.',
          );
    },
  },
  {
    key: 'serve.ngrokAuthtoken',
    env: 'NGROK_AUTHTOKEN',
    secret: true,
    description:
      'ngrok authtoken (https://dashboard.ngrok.com/get-started/your-authtoken): gives the webhook a public URL.',
    parse: text,
  },
  {
    key: 'serve.redisUrl',
    env: 'REDIS_URL',
    flag: '--redis-url <url>',
    flagHelp: 'keep state in Redis (redis://…)',
    description: 'Keep conversations and answers in Redis (redis://…) instead of memory, to survive restarts.',
    parse: (raw) => {
      try {
        const url = new URL(raw.trim());
        if (url.protocol === 'redis:' || url.protocol === 'rediss:') return ok(raw.trim());
      } catch {}
      return bad(`must be a redis:// or rediss:// URL (got a different value)`, 'Use e.g. redis://127.0.0.1:6379.');
    },
  },
] as const satisfies readonly SettingSpec[];

export type SettingKey = (typeof SETTINGS)[number]['key'];

export function settingByKey(key: string): SettingSpec | undefined {
  return (SETTINGS as readonly SettingSpec[]).find((s) => s.key === key);
}

/** The commander attribute of a flag: `--public-url <url>` → publicUrl. */
export function flagAttribute(flag: string): string {
  const long = /--([a-z-]+)/.exec(flag)?.[1] ?? '';
  return long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The long flag alone: `-p, --port <number>` → --port. */
export function flagName(flag: string): string {
  return /--[a-z-]+/.exec(flag)?.[0] ?? flag;
}

export const SECRET_KEYS: ReadonlySet<string> = new Set(
  (SETTINGS as readonly SettingSpec[]).filter((s) => s.secret).map((s) => s.key),
);
