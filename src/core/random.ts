/**
 * Seeded randomness. Every random choice chaos-ec2 makes (which instances, which AZ) comes from one of these,
 * and the seed is recorded in the report, so an experiment can be replayed exactly with `--seed`.
 */
export interface Rng {
  readonly seed: string;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** A new array with `k` distinct elements of `items`, in random order (partial Fisher–Yates). */
  sample<T>(items: readonly T[], k: number): T[];
}

/** FNV-1a, to turn any seed string into 32 bits. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast, good enough for choosing victims (not for cryptography). */
export function createRng(seed: string = randomSeed()): Rng {
  let state = hash32(seed);
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (n) => Math.floor(next() * n),
    sample<T>(items: readonly T[], k: number): T[] {
      const copy = [...items];
      const take = Math.max(0, Math.min(k, copy.length));
      for (let i = 0; i < take; i++) {
        const j = i + Math.floor(next() * (copy.length - i));
        [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
      }
      return copy.slice(0, take);
    },
  };
}

export function randomSeed(): string {
  return Math.floor(Math.random() * 2 ** 32).toString(36);
}
