/**
 * A full collection in the load generator's own process before a measured run. The requests made ahead for a run
 * (tens of MB) are new objects: left in the young generation, every scavenge during the run copied them again, and the
 * load generator stalled for tens of ms at a time (16 s of scavenge pauses in one run of the serve section), which
 * showed as noise in whichever server was under load. Collected first, they sit in the old generation untouched.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

export function settleHeap(): void {
  collect();
}
