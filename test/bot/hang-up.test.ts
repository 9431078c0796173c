/** The client hanging up, as the engine hears of it: from an AbortSignal, and back to one for the store. */
import { describe, expect, it } from 'vitest';
import { type HangUp, hangUpOfSignal, signalOfHangUp } from '../../src/bot/hang-up.js';

/** A hang-up the test drives, as the webhook's is driven by the response's close. */
function manualHangUp() {
  const listeners = new Set<() => void>();
  let gone = false;
  const hangUp: HangUp = {
    get gone() {
      return gone;
    },
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    hangUp,
    listeners,
    goAway() {
      gone = true;
      for (const listener of listeners) listener();
    },
  };
}

describe('hang-up', () => {
  it('adapts an AbortSignal: gone once aborted, listeners called once and removable', () => {
    const controller = new AbortController();
    const hangUp = hangUpOfSignal(controller.signal);
    const heard: string[] = [];
    hangUp.listen(() => heard.push('a'));
    const stop = hangUp.listen(() => heard.push('b'));
    stop();
    expect(hangUp.gone).toBe(false);
    controller.abort();
    controller.abort();
    expect(hangUp.gone).toBe(true);
    expect(heard).toEqual(['a']);
  });

  it('gives the store one signal per hang-up, aborted when the client goes', () => {
    const client = manualHangUp();
    const signal = signalOfHangUp(client.hangUp);
    expect(signalOfHangUp(client.hangUp)).toBe(signal);
    expect(client.listeners.size).toBe(1);
    expect(signal.aborted).toBe(false);
    client.goAway();
    expect(signal.aborted).toBe(true);
  });

  it('gives an aborted signal for a client already gone', () => {
    const client = manualHangUp();
    client.goAway();
    expect(signalOfHangUp(client.hangUp).aborted).toBe(true);
  });
});
