/** A counter of model calls running at once in this process; a full one turns new questions away instead of queueing. */

export interface Semaphore {
  /** Takes a slot, or returns undefined when all are in use. The returned function gives it back (once). */
  tryAcquire(): (() => void) | undefined;
  readonly inUse: number;
  readonly capacity: number;
}

export function createSemaphore(capacity: number): Semaphore {
  let inUse = 0;
  return {
    tryAcquire() {
      if (capacity > 0 && inUse >= capacity) return undefined;
      inUse++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        inUse--;
      };
    },
    get inUse() {
      return inUse;
    },
    get capacity() {
      return capacity;
    },
  };
}
