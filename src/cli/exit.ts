/** The one place errors become exit codes and `error:` / `hint:` lines. */
import { constants } from 'node:os';
import { CommanderError } from 'commander';
import { ConfigError, WechatGptError, type WechatGptErrorOptions } from '../errors.js';
import type { CliLogger } from './logger.js';

/**
 * 0: done. 1: something failed while running (network, tunnel, model, files). 2: the command line or the
 * configuration is wrong (unknown command or option, invalid setting): fix the input and run again. 130: stopped at
 * once by a second Ctrl-C (128 + SIGINT, as shells report an interrupted command; 143 for SIGTERM).
 */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2, Interrupted: 130 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode] | number;

/** A second Ctrl-C (or SIGTERM): the command stopped without finishing; the process exits at once, 128 + signal. */
export class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`Interrupted by ${signal}.`);
    this.name = 'Interrupted';
  }

  get exitCode(): number {
    return 128 + (constants.signals[this.signal] ?? 2);
  }
}

/** The command line asks for something impossible (a missing argument, options that do not go together): exit 2. */
export class UsageError extends WechatGptError<'USAGE'> {
  constructor(message: string, options: WechatGptErrorOptions = {}) {
    super('USAGE', message, options);
  }
}

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof Interrupted) return error.exitCode;
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  if (error instanceof ConfigError || error instanceof UsageError) return ExitCode.Usage;
  return ExitCode.Failure;
}

/** Commander has already printed its own errors; ours get a message, a hint and (when debugging) the stack. */
export function reportError(error: unknown, logger: CliLogger): void {
  // Commander has printed its own; an interruption was asked for and said so.
  if (error instanceof CommanderError || error instanceof Interrupted) return;
  if (error instanceof WechatGptError) {
    logger.error(error.message, error.hint);
    if (error.cause instanceof Error) logger.debug(`cause: ${error.cause.stack ?? error.cause.message}`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  logger.error(message, 'This looks like a bug in wechat-gpt; run again with LOG_LEVEL=debug and report the output.');
  if (error instanceof Error && error.stack) logger.debug(error.stack);
}
