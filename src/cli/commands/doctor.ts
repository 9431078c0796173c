/** `wechat-gpt doctor`: checks the configuration, the model, the WeChat API, Redis, ngrok, the public URL, ffmpeg and the clock. */
import { Command } from 'commander';
import type { CheckResult, ConfigLoad } from '../../doctor/index.js';
import { formatDuration } from '../../doctor/run.js';
import { WechatGptError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../exit.js';
import { loadConfig } from '../load-config.js';
import { addConfigOptions, type ConfigFlagOptions, flagValues } from '../options.js';
import { withStableKeys } from '../state.js';
import { padEnd } from '../text-width.js';
import type { Theme } from '../theme.js';

interface DoctorCommandOptions extends ConfigFlagOptions {
  json?: boolean;
  url?: string;
  timeout?: string;
  /** False with --no-completion. */
  completion?: boolean;
}

export interface DoctorReport {
  /** False when a check failed (exit 1). */
  ok: boolean;
  checks: CheckResult[];
}

const DEFAULT_TIMEOUT_MS = 5000;

export function doctorCommand(ctx: CliContext): Command {
  const command = new Command('doctor')
    .description(
      'check the setup: configuration, model key, WeChat API (IP白名单), Redis, ngrok, public URL, ffmpeg, clock',
    )
    .option(
      '--url <url>',
      'the URL in 服务器配置 to check as its 提交 button does (default: the webhook under --public-url)',
    )
    .option('--timeout <ms>', `time limit of each remote check (default ${DEFAULT_TIMEOUT_MS})`)
    .option('--no-completion', 'do not ask the model for a tiny completion (only list the models with the key)')
    .option('--json', 'print the results as JSON');
  addConfigOptions(command, {
    keys: ['wechat.appId', 'llm.baseUrl', 'llm.model', 'serve.publicUrl', 'path', 'serve.domain', 'serve.redisUrl'],
    tunnel: false,
    help: {
      'serve.publicUrl': 'your public URL, as given to serve: its webhook is checked (default: none)',
      path: 'webhook path added to --public-url (default /wechat)',
    },
  });
  return command
    .addHelpText(
      'after',
      `
One line per check: ✔ works, ✖ fails (with what to do), – not configured or not needed. The checks run side by
side, each within --timeout. Nothing is changed: the access_token fetched is not kept, the ngrok tunnel is closed
at once. Exit codes: 0 nothing failed, 1 a check failed, 2 usage.

Examples:
  $ npx wechat-gpt doctor
  $ npx wechat-gpt doctor --url https://bot.example.com/wechat
  $ npx wechat-gpt doctor --json --no-completion`,
    )
    .action(async (options: DoctorCommandOptions) => {
      const timeoutMs = parseTimeout(options.timeout);
      const url = options.url === undefined ? undefined : parseUrl(options.url);
      const load = await loadForDoctor(ctx, options);
      const { doctorChecks, runChecks } = await import('../../doctor/index.js');
      const checks = doctorChecks(load, {
        timeoutMs,
        completion: options.completion !== false,
        ...(url ? { url } : {}),
      });
      const results = await runChecks(checks, { timeoutMs });
      const report: DoctorReport = { ok: results.every((r) => r.status !== 'fail'), checks: results };
      ctx.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctor(report, ctx.theme)}\n`);
      const failed = results.filter((r) => r.status === 'fail').length;
      if (failed > 0) {
        throw new WechatGptError('DOCTOR_FAILED', `${failed} check${failed === 1 ? '' : 's'} failed (see above).`, {
          hint: 'Fix what the ✖ lines say, then run `npx wechat-gpt doctor` again.',
        });
      }
    });
}

/** The configuration as every other command loads it; an invalid one becomes the config check's failure. */
async function loadForDoctor(ctx: CliContext, options: DoctorCommandOptions): Promise<ConfigLoad> {
  try {
    const loaded = await loadConfig({
      cwd: ctx.cwd,
      env: ctx.env,
      flags: flagValues(options),
      ...(options.config ? { configFile: options.config } : {}),
    });
    return { ok: true, loaded: await withStableKeys(loaded, { cwd: ctx.cwd, generate: false }) };
  } catch (error) {
    return { ok: false, error };
  }
}

const MARKS: Record<CheckResult['status'], (theme: Theme) => string> = {
  ok: (theme) => theme.success('✔'),
  fail: (theme) => theme.error('✖'),
  skip: (theme) => theme.dim('–'),
};

export function formatDoctor(report: DoctorReport, theme: Theme): string {
  const idWidth = Math.max(...report.checks.map((r) => r.id.length));
  const indent = ' '.repeat(idWidth + 4);
  const lines: string[] = [];
  for (const result of report.checks) {
    const latency = result.latencyMs === undefined ? '' : ` ${theme.dim(`[${formatDuration(result.latencyMs)}]`)}`;
    const summary = result.status === 'skip' ? theme.dim(result.summary) : result.summary;
    lines.push(`${MARKS[result.status](theme)} ${theme.accent(padEnd(result.id, idWidth))}  ${summary}${latency}`);
    if (result.hint) {
      const hint = result.status === 'fail' ? (text: string) => text : theme.dim;
      for (const line of result.hint.split('\n')) lines.push(`${indent}${hint(line)}`);
    }
  }
  const count = (status: CheckResult['status']) => report.checks.filter((r) => r.status === status).length;
  const [passed, failed, skipped] = [count('ok'), count('fail'), count('skip')];
  lines.push(
    '',
    `${failed > 0 ? theme.error(`${failed} failed`) : theme.success('nothing failed')}, ${passed} passed, ${skipped} skipped`,
  );
  return lines.join('\n');
}

function parseTimeout(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || ms < 1) {
    throw new UsageError(`--timeout must be a number of milliseconds (got "${raw}").`, {
      hint: `Leave it out for ${DEFAULT_TIMEOUT_MS} ms per check.`,
    });
  }
  return ms;
}

function parseUrl(raw: string): string {
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
    throw new UsageError(`--url must be a full http(s) URL (got "${raw}").`, {
      hint: 'Use the URL of 服务器配置, e.g. https://bot.example.com/wechat.',
    });
  }
  return new URL(raw).href;
}
