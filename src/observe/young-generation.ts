/**
 * Keeps a long, modest-rate probe's memory flat. V8 grows its young generation (the semi-spaces new objects
 * are allocated in) in steps, doubling it each time the bytes that survived scavenges since the last step
 * exceed its size, up to a fixed ceiling (3 × 16 MiB semi-spaces on 64-bit Node; `--max-semi-space-size`).
 * A probe keeps a few KB alive at every scavenge (requests in flight, the pump's timer, a socket's read), so
 * over an hour at 2,000 req/s the young generation stepped from 1 to 8 MiB semi-spaces, and the process's RSS
 * with it: +6 MB at minute 7, +15 MB at minute 34, with the heap in use after GC flat (bench/README.md
 * "Memory over time"). That is V8 sizing, not memory the probe keeps, but it is memory the machine loses.
 *
 * Up to CAP_UP_TO_RATE req/s the young generation is not allowed to grow (growth factor 1; V8 reads the flag
 * each time it would grow, on Node 20, 22 and 24). The cost is more scavenges: at 2,000 req/s the probe
 * allocates ~3.5 MB/s, so about three a second of well under a millisecond each. Above it V8 sizes freely:
 * there the young generation reaches its size within the first seconds, and a small one would cost throughput.
 * The flag is process-wide and stays set: it is the probe that decides how the process it runs in is used.
 */
import { setFlagsFromString } from 'node:v8';

export const CAP_UP_TO_RATE = 10_000;

let capped = false;

/** Called by the open model before it starts (load-probe.ts). */
export function sizeYoungGenerationFor(rate: number): void {
  if (capped || rate > CAP_UP_TO_RATE) return;
  setFlagsFromString('--semi-space-growth-factor=1');
  capped = true;
}
