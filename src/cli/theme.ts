/** Every colour the CLI uses, named by meaning, and the one decision of whether to use colour at all. */
import { Chalk, type ChalkInstance, type ColorSupportLevel } from 'chalk';

export interface Theme {
  /** Whether this theme writes ANSI codes at all. */
  readonly enabled: boolean;
  success(text: string): string;
  warn(text: string): string;
  error(text: string): string;
  /** Secondary text: sources, explanations, defaults. */
  dim(text: string): string;
  /** A masked secret. */
  secret(text: string): string;
  /** Names the reader should notice: commands, settings, headings. */
  accent(text: string): string;
  url(text: string): string;
  heading(text: string): string;
}

export function createTheme(level: ColorSupportLevel): Theme {
  const chalk: ChalkInstance = new Chalk({ level });
  return {
    enabled: level > 0,
    success: (text) => chalk.green(text),
    warn: (text) => chalk.yellow(text),
    error: (text) => chalk.red(text),
    dim: (text) => chalk.dim(text),
    secret: (text) => chalk.magenta(text),
    accent: (text) => chalk.cyan(text),
    url: (text) => chalk.underline.blue(text),
    heading: (text) => chalk.bold(text),
  };
}

export interface ColorStream {
  isTTY?: boolean;
  getColorDepth?: (env?: Record<string, string | undefined>) => number;
}

/**
 * The colour level for one output stream. Order: `--no-color`, then NO_COLOR (any non-empty value), then FORCE_COLOR
 * (0/false off, 1–3 or empty on), then whether the stream is a colour terminal.
 */
export function colorLevel(
  stream: ColorStream,
  { env, noColorFlag }: { env: Record<string, string | undefined>; noColorFlag: boolean },
): ColorSupportLevel {
  if (noColorFlag) return 0;
  if (env.NO_COLOR) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    if (force === '2') return 2;
    if (force === '3') return 3;
    return 1;
  }
  if (!stream.isTTY || env.TERM === 'dumb') return 0;
  const depth = stream.getColorDepth?.(env) ?? 4;
  return depth >= 24 ? 3 : depth >= 8 ? 2 : depth >= 4 ? 1 : 0;
}
