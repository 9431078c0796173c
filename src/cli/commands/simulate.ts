/** `wechat-gpt simulate`: plays WeChat's servers against a webhook and says what the user would see. */
import { Command, Option } from 'commander';
import { WechatGptError } from '../../errors.js';
import { DEFAULT_ACCOUNT, DEFAULT_OPENID } from '../../simulator/ids.js';
import type { SimulatedMessage } from '../../simulator/message.js';
import type { SimulatedMode } from '../../simulator/sign.js';
import type { CliContext } from '../context.js';
import { addConfigOptions } from '../options.js';
import { buildMessage, MESSAGE_TYPES, type MessageType } from '../simulate/build-message.js';
import { formatReport, type SimulateReport, toReport } from '../simulate/report.js';
import { loadTarget, type Target, type TargetOptions } from '../target.js';

interface SimulateOptions extends TargetOptions {
  type?: MessageType;
  event?: string;
  key?: string;
  user?: string;
  to?: string;
  picUrl?: string;
  recognition?: string;
  mode?: SimulatedMode;
  retry?: boolean;
  json?: boolean;
  interactive?: boolean;
}

const MODES: readonly SimulatedMode[] = ['plain', 'compat', 'safe'];

export function simulateCommand(ctx: CliContext): Command {
  const command = new Command('simulate')
    .description('play WeChat locally: send messages to the webhook the way WeChat does, and check the replies')
    .argument(
      '[text]',
      'what the user says (also: the recognition of --type voice, the place of --type location: a city or "lat,lng label")',
    )
    .option('--url <url>', 'the webhook (default: the local server, http://127.0.0.1:<port><path>)')
    .addOption(new Option('-t, --type <type>', 'the message type (default text)').choices(MESSAGE_TYPES))
    .option(
      '-e, --event <name>',
      'an event: subscribe, unsubscribe, CLICK, VIEW, SCAN, LOCATION… (implies --type event)',
    )
    .option('-k, --key <key>', 'the EventKey: menu key (CLICK), URL (VIEW), QR scene (subscribe, SCAN)')
    .option('-u, --user <openid>', `the user's openid (default ${DEFAULT_OPENID})`)
    .option('--to <gh_id>', `the account's original id, 原始 ID (default ${DEFAULT_ACCOUNT})`)
    .option('--pic-url <url>', 'the picture of --type image')
    .option('--recognition <text>', 'what WeChat heard, for --type voice (语音识别结果)')
    .addOption(
      new Option(
        '-m, --mode <mode>',
        '消息加解密方式: plain 明文, compat 兼容, safe 安全 (default: safe when WECHAT_AES_KEY and WECHAT_APP_ID are set)',
      ).choices(MODES),
    )
    .option('--no-retry', 'one attempt only (WeChat tries 3 times, 5 s each)')
    .option('--timeout <ms>', "WeChat's timeout per attempt (default: timing.wechatTimeoutMs of the config file, 5000)")
    .option('--json', 'print the result as JSON (one line per message with --interactive)')
    .option('-i, --interactive', 'chat with the bot as one user; /? lists the commands');
  addConfigOptions(command, {
    keys: ['serve.port', 'path', 'wechat.appId'],
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
Signs (and encrypts) each message exactly as WeChat does, with a fresh 64-bit MsgId; drops the connection after
5 s and retries with the same MsgId, 3 attempts in all; then checks the reply (signature, decryption and AppID,
XML, To/From, CreateTime in seconds, text ≤ 2048 bytes) and shows what the user would see.

Exit codes: 0 WeChat shows the reply (or nothing, for "success"); 1 WeChat shows "该公众号暂时无法提供服务"
or the reply breaks a rule (listed); 2 wrong command line or configuration.

Examples:
  $ npx wechat-gpt simulate "你好"
  $ npx wechat-gpt simulate --event subscribe
  $ npx wechat-gpt simulate --type image --pic-url https://example.com/cat.jpg
  $ npx wechat-gpt simulate --event CLICK --key MENU_HELP --mode plain
  $ npx wechat-gpt simulate --url https://abc.ngrok-free.app/wechat "在吗" --json
  $ npx wechat-gpt simulate --interactive`,
    )
    .action((text: string | undefined, options: SimulateOptions) => runSimulate(ctx, text, options));
}

async function runSimulate(ctx: CliContext, text: string | undefined, options: SimulateOptions): Promise<void> {
  const target = await loadTarget(ctx, options);
  const mode = options.mode ?? (target.encodingAesKey && target.appId ? 'safe' : 'plain');
  const json = options.json === true;
  const { deliver } = await import('../../simulator/deliver.js');
  const send = async (message: SimulatedMessage): Promise<SimulateReport> => {
    const result = await deliver({
      url: target.url,
      token: target.token,
      mode,
      ...(target.encodingAesKey ? { encodingAesKey: target.encodingAesKey } : {}),
      ...(target.appId ? { appId: target.appId } : {}),
      message,
      timeoutMs: target.timeoutMs,
      attempts: options.retry === false ? 1 : target.attempts,
    });
    return toReport(result, { url: target.url, mode, timeoutMs: target.timeoutMs });
  };
  const spec = { user: options.user ?? DEFAULT_OPENID, to: options.to ?? DEFAULT_ACCOUNT };

  if (options.interactive) {
    const { runRepl } = await import('../simulate/repl.js');
    const summary = await runRepl(ctx, {
      send,
      spec,
      resetWord: target.loaded.config.commands?.reset?.[0] ?? '/reset',
      print: (report, { echo }) =>
        ctx.stdout.write(
          json ? `${JSON.stringify(report)}\n` : `${formatReport(report, ctx.theme, { compact: true, echo })}\n\n`,
        ),
    });
    if (summary.failed > 0) {
      throw new WechatGptError(
        'SIMULATE_FAILED',
        `WeChat would have shown its error page for ${summary.failed} of ${summary.sent} messages.`,
        { hint: 'See the reasons listed under each one.' },
      );
    }
    return;
  }

  const message = buildMessage({
    ...spec,
    ...(text === undefined ? {} : { text }),
    ...(options.type ? { type: options.type } : {}),
    ...(options.event ? { event: options.event } : {}),
    ...(options.key === undefined ? {} : { key: options.key }),
    ...(options.picUrl ? { picUrl: options.picUrl } : {}),
    ...(options.recognition ? { recognition: options.recognition } : {}),
  });
  const report = await send(message);
  ctx.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report, ctx.theme)}\n`);
  if (!report.ok) throw failure(report, target);
}

function failure(report: SimulateReport, target: Target): WechatGptError {
  const unreachable = report.attempts.every((attempt) => attempt.outcome === 'error');
  const count = `${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}`;
  return new WechatGptError(
    'SIMULATE_FAILED',
    `WeChat would show "该公众号暂时无法提供服务" (${count}, listed above).`,
    {
      hint: unreachable
        ? target.urlSource === 'config'
          ? `Nothing answers at ${target.url}: start \`npx wechat-gpt serve\` in another terminal, or pass --url.`
          : `Nothing answers at ${target.url}: check the URL and that the server is running.`
        : 'Fix what is listed, then simulate again.',
    },
  );
}
