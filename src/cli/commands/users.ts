/** `wechat-gpt users`: today's heaviest users (questions to the model, tokens), read from the shared Redis store. */
import { Command } from 'commander';
import { redactUrl } from '../../secrets.js';
import { type CliContext, printResult } from '../context.js';
import { UsageError } from '../exit.js';
import { loadConfig } from '../load-config.js';
import { addConfigOptions, type ConfigFlagOptions, flagValues } from '../options.js';
import type { Theme } from '../theme.js';

interface UsersOptions extends ConfigFlagOptions {
  json?: boolean;
  limit?: string;
}

export interface UsersReport {
  day: string;
  timeZone: string;
  store: string;
  limits: { messagesPerDay: number; tokensPerDay: number };
  users: { openid: string; messages: number; tokens: number; admin: boolean; blocked: boolean }[];
}

export function usersCommand(ctx: CliContext): Command {
  const command = new Command('users')
    .description("list today's heaviest users: questions to the model and tokens (from the Redis store)")
    .option('--limit <n>', 'how many users (default 20)')
    .option('--json', 'print JSON (for scripts)');
  addConfigOptions(command, { keys: ['serve.redisUrl'], tunnel: false });
  command.addHelpText(
    'after',
    `
Counts live in the store serve uses: with serve.redisUrl (REDIS_URL) every instance shares them and this command reads
them; a memory store keeps them inside the serve process. The day is the local day of quotas.timeZone.

Examples:
  $ npx wechat-gpt users
  $ REDIS_URL=redis://127.0.0.1:6379 npx wechat-gpt users --limit 50 --json`,
  );
  return command.action(async (options: UsersOptions) => {
    const limit = options.limit === undefined ? 20 : Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1)
      throw new UsageError(`--limit must be a whole number of 1 or more (got ${options.limit}).`);
    const loaded = await loadConfig({
      cwd: ctx.cwd,
      env: ctx.env,
      flags: flagValues(options),
      ...(options.config ? { configFile: options.config } : {}),
    });
    const { redisUrl } = loaded.cli;
    if (!redisUrl) {
      throw new UsageError('users reads the counts from Redis, and serve.redisUrl is not set.', {
        hint: 'Set REDIS_URL (serve.redisUrl) to the Redis serve uses. With the memory store the counts live inside the serve process only.',
      });
    }
    const [{ createRedisStore }, { heaviestUsers }] = await Promise.all([
      import('../../store/redis.js'),
      import('../../quota/usage.js'),
    ]);
    const store = await createRedisStore({ url: redisUrl, connectTimeoutMs: loaded.cli.redisConnectTimeoutMs });
    try {
      const { access, quotas } = loaded.config;
      const usage = await heaviestUsers(store, { timeZone: quotas.timeZone, limit });
      const report: UsersReport = {
        day: usage.day,
        timeZone: usage.timeZone,
        store: redactUrl(redisUrl),
        limits: { messagesPerDay: quotas.messagesPerDay, tokensPerDay: quotas.tokensPerDay },
        users: usage.users.map((user) => ({
          ...user,
          admin: access.admins.includes(user.openid),
          blocked: access.blocked.includes(user.openid),
        })),
      };
      printResult(ctx, report, { json: options.json === true, text: (r) => formatUsers(r, ctx.theme) });
    } finally {
      await store.close();
    }
  });
}

export function formatUsers(report: UsersReport, theme: Theme): string {
  const limit = (value: number, what: string) => (value > 0 ? `${value} ${what} a day` : `${what} unlimited`);
  const limits = `${limit(report.limits.messagesPerDay, 'questions')}, ${limit(report.limits.tokensPerDay, 'tokens')}`;
  const head = `${theme.heading(`Heaviest users on ${report.day}`)} ${theme.dim(`(${report.timeZone}, ${report.store}; limits: ${limits})`)}`;
  if (report.users.length === 0) return `${head}\n  ${theme.dim('No questions to the model yet today.')}`;
  const width = Math.max(6, ...report.users.map((user) => user.openid.length));
  const rows = report.users.map((user) => {
    const over =
      (report.limits.messagesPerDay > 0 && user.messages > report.limits.messagesPerDay) ||
      (report.limits.tokensPerDay > 0 && user.tokens >= report.limits.tokensPerDay);
    const note = user.admin
      ? theme.dim(' admin')
      : user.blocked
        ? theme.warn(' blocked')
        : over
          ? theme.warn(' at limit')
          : '';
    return `  ${user.openid.padEnd(width)}  ${String(user.messages).padStart(9)}  ${String(user.tokens).padStart(9)}${note}`;
  });
  return [head, `  ${'openid'.padEnd(width)}  ${'questions'.padStart(9)}  ${'tokens'.padStart(9)}`, ...rows].join('\n');
}
