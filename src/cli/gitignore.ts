/** Keeps .env and the state folder out of git: asks git what it ignores, and appends what is missing to .gitignore. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isMissingFile } from './files.js';

export interface GitignoreResult {
  /** The git work tree, or undefined outside a repository (then nothing is written). */
  repo?: string;
  /** Entries appended to <cwd>/.gitignore. */
  added: string[];
  /** Paths git already tracks: ignoring them does not stop them being committed. */
  tracked: string[];
}

export function findGitRoot(start: string): string | undefined {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** `entries` are .gitignore patterns relative to cwd, e.g. `.env` and `.wechat-gpt/`. */
export async function ensureGitignored(cwd: string, entries: string[]): Promise<GitignoreResult> {
  const repo = findGitRoot(cwd);
  if (!repo) return { added: [], tracked: [] };
  const gitignorePath = join(cwd, '.gitignore');
  let existing = '';
  try {
    existing = await readFile(gitignorePath, 'utf8');
  } catch (error) {
    if (!isMissingFile(error)) throw error;
  }

  const missing: string[] = [];
  const tracked: string[] = [];
  for (const entry of entries) {
    if (!(await isIgnored(cwd, entry, existing))) missing.push(entry);
    if (await isTracked(cwd, entry)) tracked.push(entry);
  }
  if (missing.length > 0) {
    const newline = existing.includes('\r\n') ? '\r\n' : '\n';
    const separator = existing === '' || existing.endsWith('\n') ? '' : newline;
    const block = ['# wechat-gpt: secrets and local state', ...missing].join(newline);
    await writeFile(gitignorePath, `${existing}${separator}${existing ? newline : ''}${block}${newline}`);
  }
  return { repo, added: missing, tracked };
}

/** git knows about parent .gitignore files and global excludes; without git, look for the entry itself. */
async function isIgnored(cwd: string, entry: string, gitignore: string): Promise<boolean> {
  const probe = entry.endsWith('/') ? `${entry}probe` : entry;
  const code = await git(cwd, ['check-ignore', '-q', '--no-index', probe]);
  if (code === 0) return true;
  if (code === 1) return false;
  const bare = entry.replace(/\/$/, '');
  return gitignore
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/^\//, '').replace(/\/$/, ''))
    .includes(bare);
}

async function isTracked(cwd: string, entry: string): Promise<boolean> {
  return (await git(cwd, ['ls-files', '--error-unmatch', entry.replace(/\/$/, '')])) === 0;
}

/** The exit code, or -1 when git cannot run. */
function git(cwd: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: 5000 }, (error) => {
      if (!error) return resolve(0);
      const code = (error as NodeJS.ErrnoException & { code?: unknown }).code;
      resolve(typeof code === 'number' ? code : -1);
    });
  });
}
