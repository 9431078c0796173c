/** The wechat-gpt command line: assembles the commands and runs them. Each command lives in commands/<name>.ts. */
import { Command, CommanderError } from 'commander';
import { configCommand } from './commands/config.js';
import { doctorCommand } from './commands/doctor.js';
import { initCommand } from './commands/init.js';
import { kbCommand } from './commands/kb.js';
import { menuCommand } from './commands/menu.js';
import { serveCommand } from './commands/serve.js';
import { simulateCommand } from './commands/simulate.js';
import { testCommand } from './commands/test.js';
import { usersCommand } from './commands/users.js';
import { verifyCommand } from './commands/verify.js';
import type { CliContext, Reader } from './context.js';
import { ExitCode, exitCodeFor, Interrupted, reportError } from './exit.js';
import { packageVersion } from './files.js';
import { createCliLogger, parseLogLevel, type Writer } from './logger.js';
import { SETTINGS, type SettingSpec } from './settings.js';
import { type ColorStream, colorLevel, createTheme } from './theme.js';

export type { CliContext } from './context.js';
export { ExitCode } from './exit.js';

export function createProgram(ctx: CliContext, errTheme = ctx.theme): Command {
  const program = new Command('wechat-gpt')
    .description('Put ChatGPT (or any OpenAI-compatible model) behind a WeChat Official Account (微信公众号).')
    .version(ctx.version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--no-color', 'no colours (also NO_COLOR=1; FORCE_COLOR=1 forces them)')
    .option('--verbose', 'show debug logs (also LOG_LEVEL=debug)')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
      outputError: (text, write) => write(text.replace(/^error:/, errTheme.error('error:'))),
      getOutHasColors: () => ctx.theme.enabled,
      getErrHasColors: () => errTheme.enabled,
    })
    .configureHelp({
      styleTitle: (text) => ctx.theme.heading(text),
      styleCommandText: (text) => ctx.theme.accent(text),
      styleSubcommandText: (text) => ctx.theme.accent(text),
      showGlobalOptions: true,
    })
    .addHelpText('after', rootHelp());

  for (const command of [
    initCommand(ctx),
    serveCommand(ctx),
    configCommand(ctx),
    simulateCommand(ctx),
    testCommand(ctx),
    verifyCommand(ctx),
    doctorCommand(ctx),
    usersCommand(ctx),
    menuCommand(ctx),
    kbCommand(ctx),
  ]) {
    // Commands are built apart from the program, so they inherit its output, exit and suggestion settings here
    // (their own subcommands too: `kb build`).
    program.addCommand(inheritSettings(command, program));
  }
  return program;
}

function inheritSettings(command: Command, parent: Command): Command {
  command.copyInheritedSettings(parent);
  for (const sub of command.commands) inheritSettings(sub, command);
  return command;
}

function rootHelp(): string {
  const envs = (SETTINGS as readonly SettingSpec[]).filter((s) => s.env);
  const width = Math.max(...envs.map((s) => (s.env as string).length));
  return `
Examples:
  $ npx wechat-gpt init            write .env (Token, EncodingAESKey) and wechat-gpt.config.json
  $ npx wechat-gpt serve           run the webhook, and an ngrok tunnel when NGROK_AUTHTOKEN is set
  $ npx wechat-gpt config          show the effective configuration and where each value came from
  $ npx wechat-gpt simulate        talk to your bot the way WeChat does
  $ npx wechat-gpt test            run the conversation scenarios in scenarios/ and check the answers
  $ npx wechat-gpt doctor          check the model key, the WeChat API (IP白名单), Redis, ngrok, ffmpeg, the clock
  $ npx wechat-gpt users           today's heaviest users (questions, tokens) from Redis
  $ npx wechat-gpt menu push       check the custom menu (自定义菜单) and create it
  $ npx wechat-gpt kb build docs/  answer from your own documents (the knowledge base)
  $ npx wechat-gpt serve --help    the options of one command

Environment (also read from .env in this folder; flags win over both, both win over wechat-gpt.config.json):
${envs.map((s) => `  ${(s.env as string).padEnd(width)}  ${s.description}`).join('\n')}
  ${'LOG_LEVEL'.padEnd(width)}  debug, info, warn, error or silent.
  ${'NO_COLOR'.padEnd(width)}  Any value turns colours off (FORCE_COLOR=1 turns them on).

Secrets (tokens, keys) are read from the environment and .env only, never from flags: flags show up in \`ps\`.

Exit codes:
  0  done
  1  failed while running (network, tunnel, files…)
  2  wrong command line or configuration: fix it and run again`;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  stdout?: Writer & ColorStream;
  stderr?: Writer & ColorStream;
  stdin?: Reader;
  /**
   * After the command finishes, end the process if something still holds it open this long. ngrok's native connect
   * cannot be cancelled and keeps the event loop alive after we stop waiting for it. False: never (embedding, tests).
   */
  forceExitAfterMs?: number | false;
}

/** Runs the CLI; sets process.exitCode and returns it. Never throws. */
export async function run(argv: string[] = process.argv, options: RunOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const flags = argv.slice(2, argv.includes('--') ? argv.indexOf('--') : undefined);
  const noColorFlag = flags.includes('--no-color');
  const theme = createTheme(colorLevel(stdout, { env, noColorFlag }));
  const errTheme = createTheme(colorLevel(stderr, { env, noColorFlag }));
  const logger = createCliLogger({
    stream: stderr,
    theme: errTheme,
    level: flags.includes('--verbose') ? 'debug' : parseLogLevel(env.LOG_LEVEL),
  });

  let code: number = ExitCode.Ok;
  let interrupted = false;
  try {
    const ctx: CliContext = {
      cwd: options.cwd ?? process.cwd(),
      env,
      stdin: options.stdin ?? process.stdin,
      stdout,
      stderr,
      theme,
      logger,
      version: packageVersion(),
    };
    await createProgram(ctx, errTheme).parseAsync(argv);
  } catch (error) {
    if (!(error instanceof CommanderError)) reportError(error, logger);
    code = exitCodeFor(error);
    interrupted = error instanceof Interrupted;
  }
  process.exitCode = code;
  const forceExitAfterMs = options.forceExitAfterMs ?? (options.stdout ? false : 2_000);
  // Asked to stop now (a second Ctrl-C): nothing may hold the exit, not even ngrok's native connect.
  if (interrupted && forceExitAfterMs !== false) process.exit(code);
  if (forceExitAfterMs !== false) setTimeout(() => process.exit(code), forceExitAfterMs).unref();
  return code;
}
