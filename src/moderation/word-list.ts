/** Word lists: one word or phrase per line, `#` starts a comment line, blank lines are ignored; files read at start. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';

export interface WordListSource {
  name: string;
  /** A text file of words, relative to the working directory. */
  file?: string | undefined;
  words?: string[] | undefined;
}

export interface WordList {
  name: string;
  words: string[];
}

/** The words of a list file's text. An empty file is an empty list, never an error. */
export function parseWordList(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Reads each list's file (once, at start) and joins it with the inline words. */
export function loadWordLists(sources: readonly WordListSource[], cwd = process.cwd()): WordList[] {
  return sources.map(({ name, file, words = [] }, index) => {
    if (!file) return { name, words: words.map((word) => word.trim()).filter(Boolean) };
    let text: string;
    try {
      text = readFileSync(resolve(cwd, file), 'utf8');
    } catch (error) {
      throw new ConfigError(
        `moderation.lists.${index}.file`,
        `moderation.lists.${index}.file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
        { hint: 'Check the path (relative to the directory the bot starts in), or remove "file" from the list.' },
      );
    }
    return { name, words: [...parseWordList(text), ...words.map((word) => word.trim()).filter(Boolean)] };
  });
}
