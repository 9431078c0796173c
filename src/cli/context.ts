/** What every command gets: where it runs, its environment, its output streams, theme and logger. */
import type { CliLogger, Writer } from './logger.js';

/** The input side: a readable stream, and whether a person sits at it. */
export type Reader = NodeJS.ReadableStream & { isTTY?: boolean };

import type { Theme } from './theme.js';

export interface CliContext {
  cwd: string;
  env: Record<string, string | undefined>;
  /** What the user types (simulate --interactive). */
  stdin: Reader;
  /** Results go here. */
  stdout: Writer;
  /** Logs, warnings and errors go here. */
  stderr: Writer;
  /** Colours for stdout (stderr has its own, inside the logger). */
  theme: Theme;
  logger: CliLogger;
  version: string;
}

/** Prints a result: text for people, or JSON (always uncoloured) for programs. */
export function printResult<T>(
  ctx: CliContext,
  result: T,
  { json, text }: { json: boolean; text: (result: T) => string },
): void {
  ctx.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${text(result)}\n`);
}
