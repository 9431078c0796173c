/** How `wechat-gpt serve` runs: the CLI's own settings, in the config file's `serve` section. */
import * as z from 'zod';
import { DOMAIN, httpUrl } from './fields.js';

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
    logFormat: z.enum(['auto', 'pretty', 'json']).default('auto').meta({
      description:
        'pretty: the banner and one line per message for people; json: pino JSON log lines on stdout (secrets masked); auto: json when stdout is not a terminal (Docker, systemd, a pipe). --json prints events for scripts instead.',
      env: 'LOG_FORMAT',
      flag: '--log-format <format>',
      flagHelp: 'auto, pretty or json (default auto: json when stdout is not a terminal)',
      hint: 'Use auto, pretty or json.',
    }),
    logFile: z.string().trim().min(1, 'must not be empty').optional().meta({
      description:
        'Also write the JSON logs (pino, secrets masked) to this file, rotated by size and by day (logFileSize, logFileInterval, logFileKeep).',
      env: 'LOG_FILE',
      flag: '--log-file <path>',
      flagHelp: 'also write JSON logs to this file, rotated (10 MB or daily, 14 kept)',
      example: 'logs/wechat-gpt.log',
      hint: 'Use a path such as logs/wechat-gpt.log (its folder is created).',
    }),
    logFileSize: z
      .string()
      .trim()
      .regex(/^[1-9]\d*[BKMG]$/, 'must be a size such as 10M (B, K, M or G)')
      .default('10M')
      .meta({ description: 'Rotate the log file when it reaches this size (B, K, M, G).' }),
    logFileInterval: z
      .string()
      .trim()
      .regex(/^([1-9]\d*[dM]|(1|2|3|4|6|8|12|24)h)$/, 'must be an interval such as 1d, 12h or 1M')
      .default('1d')
      .meta({ description: 'Also rotate the log file at this interval (1d: at midnight; 12h; 1M: monthly).' }),
    logFileKeep: z.int().min(1).default(14).meta({ description: 'Rotated log files kept; older ones are deleted.' }),
  })
  .meta({ description: 'How `wechat-gpt serve` runs.' });
