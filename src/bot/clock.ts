/**
 * The engine's clock: the time and the timers every deadline runs on. The default reads the globals at each call, so
 * vitest's fake timers drive it; tests may also pass their own.
 */
export type TimerHandle = ReturnType<typeof setTimeout>;

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle),
};

/** The system timers with another time source (the library's `now` option). */
export function clockWithNow(now: (() => number) | undefined): Clock {
  return now ? { ...systemClock, now } : systemClock;
}

/** Resolves after ms on the clock; the timer does not keep the process alive. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(resolve, ms);
    timer.unref?.();
  });
}
