/**
 * `wechat-gpt test`: runs conversation scenarios (YAML) against the bot, in-process from this folder's configuration
 * or at --url, and reports each step: text for people, JSON, or JUnit XML for CI.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { WechatGptError } from '../../errors.js';
import type { LoadedScenario, ScenarioProblem } from '../../scenario/parse.js';
import type { RunResult } from '../../scenario/runner.js';
import type { SimulatedMode } from '../../simulator/sign.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../exit.js';
import { addConfigOptions, type ConfigFlagOptions } from '../options.js';
import { remoteBot, startBot } from '../test/bot.js';
import { createTextOutput } from '../test/live-report.js';

const REPORTERS = ['text', 'json', 'junit'] as const;
type Reporter = (typeof REPORTERS)[number];
const MODES: readonly SimulatedMode[] = ['plain', 'compat', 'safe'];

interface TestOptions extends ConfigFlagOptions {
  url?: string;
  reporter?: Reporter;
  output?: string;
  json?: boolean;
  concurrency?: string;
  grep?: string;
  mode?: SimulatedMode;
  timeout?: string;
}

export function testCommand(ctx: CliContext): Command {
  const command = new Command('test')
    .description('run conversation scenarios (scenarios/**/*.yaml) against the bot and check what the user sees')
    .argument('[paths...]', 'scenario files or folders (default: scenarios/)')
    .option('--url <url>', 'test a running server (local or deployed) instead of starting the bot here')
    .addOption(new Option('-r, --reporter <name>', 'text (default), json or junit').choices(REPORTERS))
    .option('-o, --output <file>', 'write the report there (stdout then shows the text report)')
    .option('--json', 'the same as --reporter json')
    .option('-j, --concurrency <n>', 'scenarios run side by side, each as its own user (default 1)')
    .option('-g, --grep <pattern>', 'only scenarios whose name matches (a regular expression, case-insensitive)')
    .addOption(new Option('-m, --mode <mode>', '消息加解密方式 to send with (default: as simulate)').choices(MODES))
    .option(
      '--timeout <ms>',
      "WeChat's timeout per attempt (default: timing.wechatTimeoutMs of the config file, 5000); in-process the bot's too",
    );
  addConfigOptions(command, { keys: ['wechat.appId'], tunnel: false });
  return command
    .addHelpText(
      'after',
      `
Each step is sent the way \`simulate\` sends a message (signed, encrypted in 安全模式, dropped after 5 s and retried,
3 attempts), then its expectations are checked. Without --url the bot starts here from this folder's configuration
on a free port, and steps may script the model: model: { say: "…", delayMs: 7000, fail: 500 }.

Exit codes: 0 every step passed; 1 a step failed; 2 a scenario file is invalid (file:line, nothing is sent) or the
command line is wrong.

Examples:
  $ npx wechat-gpt test
  $ npx wechat-gpt test scenarios/basics.yaml --grep 慢回答
  $ npx wechat-gpt test --reporter junit --output report.xml
  $ npx wechat-gpt test --url https://bot.example.com/wechat --concurrency 4`,
    )
    .action((paths: string[], options: TestOptions) => runTest(ctx, paths, options));
}

async function runTest(ctx: CliContext, paths: string[], options: TestOptions): Promise<void> {
  const reporter: Reporter = options.json ? 'json' : (options.reporter ?? 'text');
  const concurrency = parseCount(options.concurrency);
  const scenarios = filterScenarios(await loadScenarios(ctx, paths), options.grep);
  if (options.url !== undefined) refuseModelScripts(scenarios);

  const { runScenarios } = await import('../../scenario/runner.js');
  const { pageMarkerPattern } = await import('../../scenario/expect.js');
  const bot = options.url === undefined ? await startBot(ctx, options, scenarios) : await remoteBot(ctx, options);
  let run: RunResult;
  try {
    const textReporter = await import('../../scenario/reporters/text.js');
    const live =
      reporter === 'text' || options.output !== undefined
        ? createTextOutput(ctx, concurrency, textReporter)
        : undefined;
    run = await runScenarios({
      scenarios,
      target: bot.target,
      ...(bot.model ? { model: bot.model } : {}),
      pageMarker: pageMarkerPattern(bot.morePages),
      concurrency,
      ...(live ? { onEvent: live.onEvent } : {}),
    });
    live?.finish(run);
  } finally {
    await bot.stop();
  }

  if (reporter !== 'text') {
    const report = await formatReport(reporter, run);
    if (options.output !== undefined) {
      const file = resolve(ctx.cwd, options.output);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, `${report}\n`);
      ctx.logger.info(`Wrote the ${reporter} report to ${relative(ctx.cwd, file) || file}.`);
    } else ctx.stdout.write(`${report}\n`);
  }
  if (!run.passed) {
    throw new WechatGptError('TEST_FAILED', `${run.counts.failedSteps} of ${run.counts.steps} steps failed.`, {
      hint: reporter === 'text' || options.output ? 'Each is listed above with what the user saw.' : 'See the report.',
    });
  }
}

async function formatReport(reporter: Exclude<Reporter, 'text'>, run: RunResult): Promise<string> {
  if (reporter === 'junit') return (await import('../../scenario/reporters/junit.js')).formatJunit(run);
  return (await import('../../scenario/reporters/json.js')).formatJson(run);
}

/** Every scenario of every file, or exit 2 with each problem's file:line before anything is sent. */
async function loadScenarios(ctx: CliContext, paths: string[]): Promise<LoadedScenario[]> {
  const { findScenarioFiles, DEFAULT_SCENARIO_DIR } = await import('../../scenario/files.js');
  const { readScenarioFile } = await import('../../scenario/parse.js');
  const found = await findScenarioFiles(ctx.cwd, paths);
  if (!found.ok) {
    const defaulted = paths.length === 0;
    throw new UsageError(
      defaulted ? `No ${DEFAULT_SCENARIO_DIR}/ folder here (${ctx.cwd}).` : `Not found: ${found.missing.join(', ')}.`,
      {
        hint: defaulted
          ? 'Run `npx wechat-gpt init` to write an example scenario, or pass scenario files: npx wechat-gpt test my.yaml.'
          : 'Pass scenario files (.yaml) or folders that hold them.',
      },
    );
  }
  if (found.files.length === 0) {
    throw new UsageError(`No scenario files (*.yaml) in ${paths.join(', ') || DEFAULT_SCENARIO_DIR}.`, {
      hint: 'Run `npx wechat-gpt init` to write an example scenario.',
    });
  }
  const scenarios: LoadedScenario[] = [];
  const problems: ScenarioProblem[] = [];
  for (const file of found.files) {
    const parsed = await readScenarioFile(file, relative(ctx.cwd, file) || file);
    if (parsed.ok) scenarios.push(...parsed.scenarios);
    else problems.push(...parsed.problems);
  }
  if (problems.length > 0) throw invalidFiles(problems);
  return scenarios;
}

function invalidFiles(problems: ScenarioProblem[]): UsageError {
  const files = new Set(problems.map((problem) => problem.file)).size;
  const list = problems.map((p) => `  ${p.file}:${p.line}:${p.column}  ${p.message}`).join('\n');
  return new UsageError(
    `${files === 1 ? 'A scenario file is' : `${files} scenario files are`} invalid; nothing was sent:\n${list}`,
    { hint: 'Fix the lines above. The README (wechat-gpt test) lists every step and expectation.' },
  );
}

function filterScenarios(scenarios: LoadedScenario[], grep: string | undefined): LoadedScenario[] {
  if (grep === undefined) return scenarios;
  let pattern: RegExp;
  try {
    pattern = new RegExp(grep, 'i');
  } catch {
    throw new UsageError(`--grep is not a valid regular expression: ${grep}`, {
      hint: 'e.g. --grep 价格 or --grep "^basics"',
    });
  }
  const kept = scenarios.filter((loaded) => pattern.test(loaded.scenario.name));
  if (kept.length === 0) {
    throw new UsageError(`No scenario name matches --grep ${grep}.`, {
      hint: `The names are: ${scenarios.map((loaded) => loaded.scenario.name).join(', ')}.`,
    });
  }
  return kept;
}

function refuseModelScripts(scenarios: LoadedScenario[]): void {
  const lines = scenarios.flatMap((loaded) =>
    loaded.scenario.steps.flatMap((step, index) =>
      'model' in step && step.model ? [`  ${loaded.file}:${loaded.stepLines[index]}`] : [],
    ),
  );
  if (lines.length === 0) return;
  throw new UsageError(`model: scripts need the bot started here, not at --url:\n${lines.join('\n')}`, {
    hint: 'Leave out --url (the bot then starts in-process with the scripted model), or remove those model: lines.',
  });
}

function parseCount(raw: string | undefined): number {
  if (raw === undefined) return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new UsageError(`--concurrency must be a whole number from 1 to 64 (got "${raw}").`, {
      hint: 'e.g. --concurrency 4',
    });
  }
  return n;
}
