/** Flag parsers shared by the commands: each rejects bad input with a one-line usage error. */
import { InvalidArgumentError } from 'commander';

export function parseIntFlag(name: string, min: number, max: number): (v: string) => number {
  return (v) => {
    if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError(`${name} takes a whole number (got '${v}')`);
    const n = Number(v);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be between ${min} and ${max} (got ${n})`);
    return n;
  };
}

export function parseNumberFlag(name: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} takes a number (got '${v}')`);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be between ${min} and ${max} (got ${n})`);
    return n;
  };
}
