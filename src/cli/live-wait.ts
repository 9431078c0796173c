/**
 * A spinner with the time waited so far, on a terminal only (yocto-spinner): shows that something is happening
 * while WeChat's attempts run, and disappears when they end. Elsewhere (pipes, CI logs) there is no spinner.
 */
import type { Writable } from 'node:stream';
import yoctoSpinner, { type Spinner } from 'yocto-spinner';
import { formatSeconds } from './latency.js';
import type { Writer } from './logger.js';

export interface LiveWait {
  /** Starts (or restarts) the spinner; `describe` gets the ms waited and returns its text. */
  start(describe: (elapsedMs: number) => string): void;
  /** Removes the spinner's line; what is printed next takes its place. */
  stop(): void;
}

/** A LiveWait for a terminal, or undefined when `stream` is not one (or in CI). */
export function createLiveWait(
  stream: Writer & { isTTY?: boolean },
  env: Record<string, string | undefined>,
): LiveWait | undefined {
  if (!stream.isTTY || env.CI || env.TERM === 'dumb') return undefined;
  let spinner: Spinner | undefined;
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    clearInterval(timer);
    spinner?.stop();
    spinner = undefined;
  };
  return {
    start(describe) {
      stop();
      const started = performance.now();
      const text = () => describe(performance.now() - started);
      spinner = yoctoSpinner({ stream: stream as unknown as Writable, text: text(), handleSignals: false }).start();
      timer = setInterval(() => {
        if (spinner) spinner.text = text();
      }, 100);
      timer.unref();
    },
    stop,
  };
}

/** `attempt 2  3.40 s  waiting for the answer…` */
export function waitingText(attempt: number, elapsedMs: number): string {
  return `attempt ${attempt}  ${formatSeconds(elapsedMs).padStart(7)}  waiting for the answer…`;
}
