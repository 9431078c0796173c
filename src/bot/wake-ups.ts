/**
 * Wake-ups at given times on one clock timer, for the attempts waiting on an answer: every request that waits (every
 * question for the model) set a timer of its own and cleared it a moment later, and Node's timer (a Timeout object, a
 * timer list, async ids) cost the model path about 5 % of the engine's time per answer. Here the waiting attempts sit
 * in a binary heap by wake-up time (ties in the order they came), and one timer is armed for the earliest. Cancelling
 * takes the entry out and leaves the timer as it is: when it fires with nobody due it is armed again for the earliest.
 * With nobody waiting it does not keep the process alive (unref), as no timer did then.
 *
 * The timer is trusted over the clock: when it fires for time T, everyone due at T or before wakes, even with a clock
 * whose `now` does not follow the timers (the library's `now` option beside the system timers).
 */
import type { Clock, TimerHandle } from './clock.js';

export interface WakeUp {
  /** When it wakes (on the clock's time). */
  readonly at: number;
  /** Its place in the heap; -1 once it woke or was cancelled. */
  index: number;
  readonly order: number;
  readonly wake: () => void;
}

export interface WakeUps {
  /** Calls wake after ms (as setTimeout would); the entry cancels it. */
  after(ms: number, wake: () => void): WakeUp;
  /** Stops a wake-up that has not come; nothing when it has. */
  cancel(entry: WakeUp): void;
  /** Wake-ups still to come. */
  readonly size: number;
}

const earlier = (a: WakeUp, b: WakeUp) => a.at < b.at || (a.at === b.at && a.order < b.order);

export function createWakeUps(clock: Clock): WakeUps {
  const heap: WakeUp[] = [];
  let made = 0;
  let timer: TimerHandle | undefined;
  /** The time the timer is armed for. */
  let armedAt = Number.POSITIVE_INFINITY;
  /** Whether the timer keeps the process alive: while anyone waits. */
  let holding = false;

  function place(entry: WakeUp, index: number): void {
    heap[index] = entry;
    entry.index = index;
  }

  function siftUp(entry: WakeUp, from: number): void {
    let index = from;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (!earlier(entry, parent)) break;
      place(parent, index);
      index = parentIndex;
    }
    place(entry, index);
  }

  function siftDown(entry: WakeUp, from: number): void {
    let index = from;
    const length = heap.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && earlier(heap[right]!, heap[left]!) ? right : left;
      if (!earlier(heap[child]!, entry)) break;
      place(heap[child]!, index);
      index = child;
    }
    place(entry, index);
  }

  function remove(entry: WakeUp): void {
    const index = entry.index;
    entry.index = -1;
    const last = heap.pop()!;
    if (last === entry) return;
    const parent = index > 0 ? heap[(index - 1) >> 1] : undefined;
    if (parent && earlier(last, parent)) siftUp(last, index);
    else siftDown(last, index);
  }

  function arm(at: number, base: number): void {
    if (timer !== undefined) clock.clearTimeout(timer);
    armedAt = at;
    timer = clock.setTimeout(fire, Math.max(0, at - base));
    holding = true;
  }

  /** Nobody waits: the timer stays armed but lets the process exit; the order of ties starts again. */
  function release(): void {
    made = 0;
    if (!holding) return;
    holding = false;
    timer?.unref?.();
  }

  function fire(): void {
    const due = Math.max(armedAt, clock.now());
    timer = undefined;
    armedAt = Number.POSITIVE_INFINITY;
    holding = false;
    const woken: WakeUp[] = [];
    while (heap.length > 0 && heap[0]!.at <= due) {
      const first = heap[0]!;
      remove(first);
      woken.push(first);
    }
    if (heap.length > 0) arm(heap[0]!.at, due);
    else made = 0;
    for (const entry of woken) entry.wake();
  }

  return {
    after(ms, wake) {
      const now = clock.now();
      const entry: WakeUp = { at: now + ms, index: heap.length, order: made++, wake };
      heap.push(entry);
      siftUp(entry, entry.index);
      if (entry.at < armedAt) arm(entry.at, now);
      else if (!holding) {
        holding = true;
        timer?.ref?.();
      }
      return entry;
    },
    cancel(entry) {
      if (entry.index < 0) return;
      remove(entry);
      if (heap.length === 0) release();
    },
    get size() {
      return heap.length;
    },
  };
}
