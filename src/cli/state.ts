/**
 * The CLI's state file, .wechat-gpt/state.json in the working folder (mode 0600): keeps a Token and EncodingAESKey
 * that `serve` generated stable across restarts, so 服务器配置 stays valid when nothing is configured.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateEncodingAesKey, generateToken, validateEncodingAesKey, validateToken } from '../wechat/keys.js';
import { isMissingFile, STATE_DIR_NAME, STATE_FILE_NAME } from './files.js';
import type { LoadedConfig } from './load-config.js';

export interface CliState {
  wechat?: { token?: string; encodingAesKey?: string };
}

export function statePath(cwd: string): string {
  return join(cwd, STATE_DIR_NAME, STATE_FILE_NAME);
}

/** The saved state; an unreadable or corrupt file counts as empty (it only holds values we can generate again). */
export async function readState(cwd: string): Promise<CliState> {
  try {
    const parsed: unknown = JSON.parse(await readFile(statePath(cwd), 'utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as CliState) : {};
  } catch (error) {
    if (isMissingFile(error) || error instanceof SyntaxError) return {};
    throw error;
  }
}

/** Writes atomically (temp file, then rename) with mode 0600, in a 0700 folder. */
export async function writeState(cwd: string, state: CliState): Promise<void> {
  const dir = join(cwd, STATE_DIR_NAME);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const target = statePath(cwd);
  const temporary = `${target}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, target);
}

/**
 * Fills a missing Token / EncodingAESKey from the state file, or generates and saves them (`generate: false` only
 * reads, for `config`). Configured values always win and are never written to the state file. Returns a new
 * LoadedConfig whose sources say 'state file' or 'generated'.
 */
export async function withStableKeys(
  loaded: LoadedConfig,
  {
    cwd,
    generate = { token: generateToken, encodingAesKey: generateEncodingAesKey },
  }: {
    cwd: string;
    generate?: { token: () => string; encodingAesKey: () => string } | false;
  },
): Promise<LoadedConfig> {
  const wechat = { ...loaded.config.wechat };
  if (wechat.token && wechat.encodingAesKey) return loaded;

  const state = await readState(cwd);
  const saved = { ...state.wechat };
  const sources = { ...loaded.sources };
  let changed = false;

  const fill = (key: 'token' | 'encodingAesKey', invalid: (value: string) => string | undefined) => {
    if (wechat[key]) return;
    const stored = saved[key];
    if (stored && !invalid(stored)) {
      wechat[key] = stored;
      sources[`wechat.${key}`] = 'state file';
    } else if (generate) {
      wechat[key] = saved[key] = generate[key]();
      sources[`wechat.${key}`] = 'generated';
      changed = true;
    }
  };
  fill('token', validateToken);
  fill('encodingAesKey', validateEncodingAesKey);

  if (changed) await writeState(cwd, { ...state, wechat: saved });
  return { ...loaded, config: { ...loaded.config, wechat }, sources };
}
