/**
 * With the memory store, a restart of `serve` (Ctrl-C during development, a deploy) must not lose the answers users
 * were told to fetch with 「继续」: on shutdown the waiting answers, pending marks and conversations are written to
 * .wechat-gpt/answers.json (mode 0600), and read back (then removed) at the next start. With Redis nothing is needed:
 * the state lives there, and another instance takes over.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MemorySnapshot, MemoryStore } from '../../store/memory.js';
import { isMissingFile, STATE_DIR_NAME } from '../files.js';

export const SAVED_ANSWERS_FILE = 'answers.json';

const pathIn = (cwd: string) => join(cwd, STATE_DIR_NAME, SAVED_ANSWERS_FILE);

/** Loads what the last run saved into the store; returns how many users' waiting answers came back. */
export async function restoreSavedAnswers(cwd: string, store: MemoryStore): Promise<number> {
  let snapshot: MemorySnapshot;
  try {
    snapshot = JSON.parse(await readFile(pathIn(cwd), 'utf8')) as MemorySnapshot;
  } catch (error) {
    if (isMissingFile(error) || error instanceof SyntaxError) return 0;
    throw error;
  }
  if (snapshot.version !== 1) return 0;
  store.restore(snapshot);
  // Restored once: a crash before the next clean shutdown must not bring the same answers back twice.
  await rm(pathIn(cwd), { force: true });
  return snapshot.outboxes.length;
}

/** Writes the store's waiting answers, pending marks and conversations (atomically, mode 0600). */
export async function saveAnswers(cwd: string, store: MemoryStore): Promise<number> {
  const snapshot = store.snapshot();
  if (snapshot.outboxes.length + snapshot.pending.length + snapshot.sessions.length === 0) return 0;
  await mkdir(join(cwd, STATE_DIR_NAME), { recursive: true, mode: 0o700 });
  const target = pathIn(cwd);
  const temporary = `${target}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(snapshot), { mode: 0o600 });
  await rename(temporary, target);
  return snapshot.outboxes.length;
}
