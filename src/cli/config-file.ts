/** Reads wechat-gpt.config.json: JSON with line and column on errors. The loader checks it against the schema. */
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { CONFIG_FILE_NAME, isMissingFile } from './files.js';
import { isPlainObject } from './object-paths.js';

export interface ConfigFile {
  path: string;
  values: Record<string, unknown>;
}

/** The default file may be missing (undefined); an explicit one (--config) must exist. */
export async function readConfigFile(cwd: string, explicit: string | undefined): Promise<ConfigFile | undefined> {
  const path = explicit ? resolve(cwd, explicit) : join(cwd, CONFIG_FILE_NAME);
  const label = displayPath(cwd, path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isMissingFile(error) && !explicit) return undefined;
    throw new ConfigError('config', `Cannot read the config file ${label}: ${(error as Error).message}`, {
      source: explicit ? 'flag' : 'config file',
      hint: explicit
        ? 'Check the path given to --config, or run `npx wechat-gpt init` to create wechat-gpt.config.json.'
        : `Check the permissions of ${label}.`,
      cause: error,
    });
  }
  text = text.replace(/^\uFEFF/, '');
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('config', `${label} is not valid JSON: ${describeJsonError(error as Error, text)}`, {
      source: 'config file',
      hint: `Fix the JSON in ${label} (no comments, no trailing commas); an editor that reads its "$schema" shows where.`,
      cause: error,
    });
  }
  if (!isPlainObject(values)) {
    throw new ConfigError('config', `${label} must hold a JSON object ({…}).`, {
      source: 'config file',
      hint: 'Run `npx wechat-gpt init` in an empty folder to see a starter file.',
    });
  }
  return { path, values };
}

export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/** Node says "at position N"; people want a line and column. */
function describeJsonError(error: Error, text: string): string {
  const position = /position (\d+)/.exec(error.message)?.[1];
  const message = error.message.replace(/\s*\(line \d+ column \d+\)$/, '').replace(/ in JSON at position \d+.*$/, '');
  if (position === undefined) return message;
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}
