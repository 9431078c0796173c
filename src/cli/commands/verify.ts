/** `wechat-gpt verify`: checks a webhook URL with the GET that 服务器配置's 提交 button sends. */
import { Command } from 'commander';
import { WechatGptError } from '../../errors.js';
import type { VerifyUrlResult } from '../../simulator/verify-url.js';
import type { CliContext } from '../context.js';
import { colourLatency } from '../latency.js';
import { addConfigOptions } from '../options.js';
import type { SettingSource } from '../settings.js';
import { loadTarget, type TargetOptions } from '../target.js';
import type { Theme } from '../theme.js';

interface VerifyOptions extends TargetOptions {
  json?: boolean;
}

export interface VerifyReport {
  ok: boolean;
  url: string;
  /** Why it passed, or what is wrong and what to fix. */
  reason: string;
  status: number | null;
  latencyMs: number;
  /** Where the Token this check signed with came from. */
  tokenSource: SettingSource;
}

const TOKEN_WHERE: Partial<Record<SettingSource, string>> = {
  env: 'WECHAT_TOKEN in the environment',
  '.env': 'WECHAT_TOKEN in .env',
  'state file': 'the Token serve generated (.wechat-gpt/state.json)',
  'config file': 'wechat.token in wechat-gpt.config.json',
};

export function verifyCommand(ctx: CliContext): Command {
  const command = new Command('verify')
    .description('check a webhook URL the way 服务器配置 does (signature, echostr)')
    .option('--url <url>', 'the URL to check (default: the local server, http://127.0.0.1:<port><path>)')
    .option('--timeout <ms>', 'how long to wait for the answer (default: timing.wechatTimeoutMs, 5000)')
    .option('--json', 'print the result as JSON');
  addConfigOptions(command, {
    keys: ['serve.port', 'path'],
    tunnel: false,
    help: {
      'serve.port': 'port of the local server to talk to, when --url is not given (default 3000)',
      path: 'webhook path on that server (default /wechat)',
    },
  });
  return command
    .addHelpText(
      'after',
      `
Sends the signed GET (signature, timestamp, nonce, echostr) that the 提交 button of 服务器配置 sends, signed with
WECHAT_TOKEN, and passes when the server echoes echostr unchanged. Exit codes: 0 pass, 1 fail, 2 usage.

Examples:
  $ npx wechat-gpt verify
  $ npx wechat-gpt verify --url https://abc.ngrok-free.app/wechat
  $ WECHAT_TOKEN=theTokenIn服务器配置 npx wechat-gpt verify --url https://bot.example.com/wechat --json`,
    )
    .action(async (options: VerifyOptions) => {
      const target = await loadTarget(ctx, options);
      const { verifyUrl } = await import('../../simulator/verify-url.js');
      const result = await verifyUrl({ url: target.url, token: target.token, timeoutMs: target.timeoutMs });
      const report = toReport(result, target.url, target.tokenSource);
      ctx.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatVerify(report, ctx.theme)}\n`);
      if (!report.ok) {
        throw new WechatGptError('VERIFY_FAILED', '服务器配置 would refuse this URL (see above).', {
          hint: 'Fix it, then run verify again before clicking 提交.',
        });
      }
    });
}

function toReport(result: VerifyUrlResult, url: string, tokenSource: SettingSource): VerifyReport {
  const where = TOKEN_WHERE[tokenSource] ?? 'WECHAT_TOKEN';
  // Our webhook answers 401 to a signature made with another Token; say it the way the operator thinks of it.
  const reason =
    result.status === 401 || result.status === 403
      ? `signature mismatch: the Token in 服务器配置 differs from WECHAT_TOKEN (this check signed with ${where}). Use one Token everywhere: the server's, WECHAT_TOKEN and 服务器配置 → Token.`
      : result.reason;
  return { ok: result.ok, url, reason, status: result.status ?? null, latencyMs: result.latencyMs, tokenSource };
}

export function formatVerify(report: VerifyReport, theme: Theme): string {
  const took = colourLatency(report.latencyMs, theme);
  const status = report.status === null ? 'no HTTP answer' : `HTTP ${report.status}`;
  if (report.ok) {
    return [
      `${theme.success('✔')} ${theme.url(report.url)} passes the 服务器配置 check ${theme.dim(`(${status}, `)}${took}${theme.dim(')')}`,
      `  ${report.reason}`,
      `  ${theme.dim(`Signed with ${TOKEN_WHERE[report.tokenSource] ?? 'WECHAT_TOKEN'}: paste that Token into 服务器配置, then click 提交.`)}`,
    ].join('\n');
  }
  return [
    `${theme.error('✖')} ${theme.url(report.url)} fails the 服务器配置 check ${theme.dim(`(${status}, `)}${took}${theme.dim(')')}`,
    `  ${report.reason}`,
  ].join('\n');
}
