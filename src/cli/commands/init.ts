/** `wechat-gpt init`: writes .env (generated Token and EncodingAESKey, placeholders) and a starter config file. */
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { EXAMPLE_SCENARIO, EXAMPLE_SCENARIO_PATH } from '../../scenario/example.js';
import { generateEncodingAesKey, generateToken, validateEncodingAesKey, validateToken } from '../../wechat/keys.js';
import { type CliContext, printResult } from '../context.js';
import { findAssignmentLine, formatDotenvLine, parseDotenv } from '../dotenv.js';
import { CONFIG_FILE_NAME, DOTENV_FILE_NAME, isMissingFile, STATE_DIR_NAME } from '../files.js';
import { ensureGitignored, type GitignoreResult } from '../gitignore.js';
import {
  DOTENV_ENTRIES,
  DOTENV_HEADER,
  dotenvEntry,
  GENERATED_KEYS,
  type GeneratedKey,
  schemaReference,
  starterConfig,
} from '../templates.js';
import type { Theme } from '../theme.js';

export interface InitResult {
  dotenv: {
    path: string;
    created: boolean;
    /** Generated keys written because they were missing. */
    added: GeneratedKey[];
    /** Generated keys replaced because of --force. */
    regenerated: GeneratedKey[];
    /** Keys that already had a value and were left alone. */
    kept: GeneratedKey[];
    /** Commented placeholders appended. */
    placeholders: string[];
    /** The mode an existing .env had when others could read or write it ('644'); it was tightened to 600. */
    tightenedFrom?: string;
    /** Settings people fill in by hand that have no value yet (in .env or the environment). */
    unset: string[];
  };
  configFile: { path: string; created: boolean };
  /** The example conversation scenario (scenarios/example.yaml), kept when it exists. */
  scenario: { path: string; created: boolean };
  gitignore: GitignoreResult;
  warnings: string[];
  next: string;
}

export interface InitOptions {
  force?: boolean;
  json?: boolean;
}

const generators: Record<GeneratedKey, () => string> = {
  WECHAT_TOKEN: generateToken,
  WECHAT_AES_KEY: generateEncodingAesKey,
};
const validators: Record<GeneratedKey, (value: string) => string | undefined> = {
  WECHAT_TOKEN: validateToken,
  WECHAT_AES_KEY: validateEncodingAesKey,
};

function isGeneratedKey(env: string): env is GeneratedKey {
  return (GENERATED_KEYS as readonly string[]).includes(env);
}

export function initCommand(ctx: CliContext): Command {
  return new Command('init')
    .description('write .env (a new Token and EncodingAESKey) and a starter wechat-gpt.config.json')
    .option('-f, --force', 'generate a new WECHAT_TOKEN and WECHAT_AES_KEY even if .env has them')
    .option('--json', 'print what was done as JSON')
    .addHelpText(
      'after',
      `
Never overwrites a value in .env without --force (and --force replaces only the Token and EncodingAESKey);
an existing wechat-gpt.config.json is kept. Inside a git repository, .env and ${STATE_DIR_NAME}/ are added to .gitignore.

Examples:
  $ npx wechat-gpt init
  $ npx wechat-gpt init --force     # new Token and EncodingAESKey: paste them into 服务器配置 again`,
    )
    .action(async (options: InitOptions) => {
      const result = await runInit(ctx, options);
      for (const warning of result.warnings) ctx.logger.warn(warning);
      printResult(ctx, result, { json: options.json === true, text: (r) => formatInit(r, ctx.theme) });
    });
}

/** What `Next:` asks people to fill in, when neither .env nor the environment has it. */
const TO_FILL_IN = ['OPENAI_API_KEY', 'NGROK_AUTHTOKEN'] as const;

export async function runInit(
  ctx: Pick<CliContext, 'cwd' | 'version'> & { env?: Record<string, string | undefined> },
  { force = false }: InitOptions,
): Promise<InitResult> {
  const warnings: string[] = [];
  const dotenv = await writeDotenv(join(ctx.cwd, DOTENV_FILE_NAME), force, warnings, ctx.env ?? {});
  const configFile = await writeStarterConfig(ctx.cwd);
  const scenario = await writeNew(join(ctx.cwd, EXAMPLE_SCENARIO_PATH), EXAMPLE_SCENARIO);
  const gitignore = await ensureGitignored(ctx.cwd, [DOTENV_FILE_NAME, `${STATE_DIR_NAME}/`]);
  for (const path of gitignore.tracked) {
    warnings.push(
      `${path} is already committed to git; run \`git rm --cached ${path}\` and commit, then change the secrets in it.`,
    );
  }
  return { dotenv, configFile, scenario, gitignore, warnings, next: 'npx wechat-gpt serve' };
}

async function writeDotenv(
  path: string,
  force: boolean,
  warnings: string[],
  env: Record<string, string | undefined>,
): Promise<InitResult['dotenv']> {
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (!isMissingFile(error)) throw error;
  }
  const result: InitResult['dotenv'] = {
    path,
    created: text === undefined,
    added: [],
    regenerated: [],
    kept: [],
    placeholders: [],
    unset: [],
  };

  if (text === undefined) {
    const lines = [...DOTENV_HEADER];
    for (const { env } of DOTENV_ENTRIES) {
      const generated = isGeneratedKey(env);
      lines.push('', ...dotenvEntry(env, generated ? generators[env]() : undefined));
      if (generated) result.added.push(env);
      else result.placeholders.push(env);
    }
    await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
    await chmod(path, 0o600);
    result.unset = TO_FILL_IN.filter((key) => !env[key]);
    return result;
  }

  // Merge: keep every existing line and value; replace only what --force asks for; append what is missing.
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const { values } = parseDotenv(text);
  result.unset = TO_FILL_IN.filter((key) => !values[key] && !env[key]);
  const appended: string[] = [];

  for (const key of GENERATED_KEYS) {
    const current = values[key];
    const index = findAssignmentLine(lines, key);
    if (current && !force) {
      result.kept.push(key);
      const problem = validators[key](current);
      if (problem)
        warnings.push(`${key} in .env is invalid: ${problem} Run \`npx wechat-gpt init --force\` to replace it.`);
      continue;
    }
    const line = formatDotenvLine(key, generators[key]());
    if (index !== -1) lines[index] = line;
    else appended.push('', ...dotenvEntry(key).slice(0, 1), line);
    (current ? result.regenerated : result.added).push(key);
  }
  for (const { env } of DOTENV_ENTRIES) {
    if (isGeneratedKey(env)) continue;
    const mentioned = lines.some((line) => new RegExp(`^\\s*#?\\s*(export\\s+)?${env}\\s*=`).test(line));
    if (mentioned) continue;
    appended.push('', ...dotenvEntry(env));
    result.placeholders.push(env);
  }
  if (appended.length > 0) lines.push('', '# Added by `wechat-gpt init`', ...appended.slice(1));
  if (appended.length > 0 || result.regenerated.length > 0 || result.added.length > 0) {
    await writeFile(path, `${lines.join(newline)}${newline}`, { mode: 0o600 });
  }
  // The file holds secrets: an existing one others can read is tightened too, and the output says so.
  const mode = (await stat(path)).mode & 0o777;
  if (mode & 0o077) {
    await chmod(path, 0o600);
    result.tightenedFrom = mode.toString(8).padStart(3, '0');
  }
  return result;
}

async function writeStarterConfig(cwd: string): Promise<InitResult['configFile']> {
  const path = join(cwd, CONFIG_FILE_NAME);
  const content = `${JSON.stringify(starterConfig(schemaReference(cwd)), null, 2)}\n`;
  try {
    await writeFile(path, content, { flag: 'wx' });
    return { path, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { path, created: false };
    throw error;
  }
}

/** Writes a file unless it exists. */
async function writeNew(path: string, content: string): Promise<{ path: string; created: boolean }> {
  await mkdir(dirname(path), { recursive: true });
  try {
    await writeFile(path, content, { flag: 'wx' });
    return { path, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { path, created: false };
    throw error;
  }
}

export function formatInit(result: InitResult, theme: Theme): string {
  const { dotenv, configFile, gitignore } = result;
  const done = (text: string) => `  ${theme.success('✔')} ${text}`;
  const same = (text: string) => `  ${theme.dim('•')} ${text}`;
  const lines: string[] = [];

  if (dotenv.created)
    lines.push(done(`created ${theme.accent('.env')} (mode 600) with a new WECHAT_TOKEN and WECHAT_AES_KEY`));
  else {
    if (dotenv.added.length) lines.push(done(`added ${dotenv.added.join(', ')} to ${theme.accent('.env')}`));
    if (dotenv.regenerated.length)
      lines.push(done(`generated a new ${dotenv.regenerated.join(' and ')} in ${theme.accent('.env')}`));
    if (dotenv.kept.length) lines.push(same(`kept ${dotenv.kept.join(' and ')} in .env (use --force for new ones)`));
    if (dotenv.placeholders.length)
      lines.push(done(`added placeholders for ${dotenv.placeholders.join(', ')} to .env`));
    if (dotenv.tightenedFrom)
      lines.push(
        done(`changed the mode of ${theme.accent('.env')} from ${dotenv.tightenedFrom} to 600: it holds secrets`),
      );
  }
  lines.push(
    configFile.created
      ? done(`created ${theme.accent('wechat-gpt.config.json')} (system prompt, a keyword rule, welcome text)`)
      : same('kept the existing wechat-gpt.config.json'),
  );
  lines.push(
    result.scenario.created
      ? done(`created ${theme.accent(EXAMPLE_SCENARIO_PATH)} (a conversation to check with npx wechat-gpt test)`)
      : same(`kept the existing ${EXAMPLE_SCENARIO_PATH}`),
  );
  if (gitignore.repo) {
    lines.push(
      gitignore.added.length
        ? done(`added ${gitignore.added.join(' and ')} to ${theme.accent('.gitignore')}`)
        : same('.gitignore already covers .env and .wechat-gpt/'),
    );
  }
  const changedKeys = dotenv.created || dotenv.added.length > 0 || dotenv.regenerated.length > 0;
  lines.push('', theme.heading('Next:'));
  let step = 1;
  const fillIn = fillInStep(dotenv.unset);
  if (fillIn) lines.push(`  ${step++}. ${fillIn}`);
  lines.push(`  ${step++}. Run ${theme.accent(result.next)}; it prints the URL for 服务器配置.`);
  if (changedKeys) {
    lines.push(
      `  ${step++}. In 公众平台 → 开发 → 基本配置 → 服务器配置, paste WECHAT_TOKEN as Token and WECHAT_AES_KEY as EncodingAESKey.`,
    );
  }
  lines.push(`  ${step++}. Run ${theme.accent('npx wechat-gpt test')} after each change of prompt, keywords or model.`);
  return lines.join('\n');
}

/** The step for what is still to be filled in by hand, or undefined when .env (or the environment) has it all. */
function fillInStep(unset: readonly string[]): string | undefined {
  const model = unset.includes('OPENAI_API_KEY');
  const ngrok = unset.includes('NGROK_AUTHTOKEN');
  if (model && ngrok) return 'Fill in OPENAI_API_KEY (and NGROK_AUTHTOKEN for a public URL) in .env.';
  if (model) return 'Fill in OPENAI_API_KEY in .env.';
  if (ngrok) return 'For a public URL, fill in NGROK_AUTHTOKEN in .env (or pass --public-url to serve).';
  return undefined;
}
