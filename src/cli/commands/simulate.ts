/** `wechat-gpt simulate`: plays WeChat's servers against a webhook and says what the user would see. */
import { Command, Option } from 'commander';
import { WechatGptError } from '../../errors.js';
import type { AttemptEvent } from '../../simulator/deliver.js';
import { DEFAULT_ACCOUNT, DEFAULT_OPENID, newMsgId } from '../../simulator/ids.js';
import type { SimulatedMessage } from '../../simulator/message.js';
import type { SimulatedMode } from '../../simulator/sign.js';
import type { InboundMessage } from '../../wechat/types.js';
import type { CliContext } from '../context.js';
import { createLiveWait, waitingText } from '../live-wait.js';
import { addConfigOptions } from '../options.js';
import { buildMessage, MESSAGE_TYPES, type MessageType } from '../simulate/build-message.js';
import {
  describeAttempt,
  formatAttempts,
  formatOutcome,
  formatReport,
  formatRequest,
  type SimulateReport,
  toReport,
} from '../simulate/report.js';
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
      '[text...]',
      'what the user says, quotes optional (also: the recognition of --type voice, the place of --type location: a city or "lat,lng label")',
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
    .action((words: string[], options: SimulateOptions) =>
      runSimulate(ctx, words.length > 0 ? words.join(' ') : undefined, options),
    );
}

async function runSimulate(ctx: CliContext, text: string | undefined, options: SimulateOptions): Promise<void> {
  const target = await loadTarget(ctx, options);
  const mode = options.mode ?? (target.encodingAesKey && target.appId ? 'safe' : 'plain');
  const json = options.json === true;
  const { deliver } = await import('../../simulator/deliver.js');
  const attempts = options.retry === false ? 1 : target.attempts;
  const send = async (message: SimulatedMessage, live?: LiveOutput): Promise<SimulateReport> => {
    const result = await deliver({
      url: target.url,
      token: target.token,
      mode,
      ...(target.encodingAesKey ? { encodingAesKey: target.encodingAesKey } : {}),
      ...(target.appId ? { appId: target.appId } : {}),
      message,
      timeoutMs: target.timeoutMs,
      attempts,
      ...(live ? { onAttempt: live.onAttempt } : {}),
    });
    return toReport(result, { url: target.url, mode, timeoutMs: target.timeoutMs, retried: options.retry !== false });
  };
  const spec = { user: options.user ?? DEFAULT_OPENID, to: options.to ?? DEFAULT_ACCOUNT };

  if (options.interactive) {
    const { runRepl } = await import('../simulate/repl.js');
    const wait = json ? undefined : createLiveWait(ctx.stdout, ctx.env);
    const spinnerOnly: LiveOutput | undefined = wait && {
      onAttempt: (event) => {
        if (event.kind === 'start') wait.start((ms) => waitingText(event.n, ms));
        else wait.stop();
      },
    };
    const summary = await runRepl(ctx, {
      send: (message) => send(message, spinnerOnly),
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
  if (json) {
    const report = await send(message);
    ctx.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (!report.ok) throw failure(report, target, { json });
    return;
  }
  // For people: the request at once, each attempt as it ends (a spinner while it runs, on a terminal), then the answer.
  const msgId = message.type === 'event' ? undefined : newMsgId();
  ctx.stdout.write(
    `${formatRequest({ message: { ...message, ...(msgId ? { msgId } : {}) } as InboundMessage, url: target.url, mode }, ctx.theme)}\n`,
  );
  const live = createLiveAttempts(ctx, { timeoutMs: target.timeoutMs, attempts, retry: options.retry !== false });
  const report = await send(msgId ? ({ ...message, msgId } as SimulatedMessage) : message, live);
  live.finish(report);
  ctx.stdout.write(`\n${formatOutcome(report, ctx.theme)}\n`);
  if (!report.ok) throw failure(report, target, { json });
}

interface LiveOutput {
  onAttempt: (event: AttemptEvent) => void;
}

/**
 * Prints each dropped or failed attempt as it ends (WeChat's wait made visible); the answering attempt is printed
 * once the reply is judged, with its type. On a terminal a spinner shows the time waited meanwhile.
 */
function createLiveAttempts(
  ctx: CliContext,
  { timeoutMs, attempts, retry }: { timeoutMs: number; attempts: number; retry: boolean },
) {
  const wait = createLiveWait(ctx.stdout, ctx.env);
  let printed = 0;
  return {
    onAttempt(event: AttemptEvent) {
      if (event.kind === 'start') {
        wait?.start((ms) => waitingText(event.n, ms));
        return;
      }
      wait?.stop();
      const { attempt } = event;
      if (attempt.outcome !== 'timeout' && attempt.outcome !== 'error') return;
      const last = attempt.n === attempts;
      ctx.stdout.write(
        `${describeAttempt(attempt, { timeoutMs, retries: !last, notRetried: last && !retry && attempt.outcome === 'timeout' }, ctx.theme)}\n`,
      );
      printed = attempt.n;
    },
    finish(report: SimulateReport) {
      wait?.stop();
      const rest = formatAttempts(report, ctx.theme).slice(printed);
      if (rest.length > 0) ctx.stdout.write(`${rest.join('\n')}\n`);
    },
  } satisfies LiveOutput & { finish(report: SimulateReport): void };
}

function failure(report: SimulateReport, target: Target, { json }: { json: boolean }): WechatGptError {
  const unreachable = report.attempts.every((attempt) => attempt.outcome === 'error');
  const count = `${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}`;
  return new WechatGptError(
    'SIMULATE_FAILED',
    json
      ? `WeChat would show "该公众号暂时无法提供服务": ${report.problems.join(' ')}`
      : `WeChat would show "该公众号暂时无法提供服务" (${count}, listed above).`,
    {
      hint: unreachable
        ? target.urlSource === 'config'
          ? `Nothing answers at ${target.url}: start \`npx wechat-gpt serve\` in another terminal, or pass --url.`
          : `Nothing answers at ${target.url}: check the URL and that the server is running.`
        : json
          ? 'Fix that, then simulate again.'
          : 'Fix what is listed, then simulate again.',
    },
  );
}
