/**
 * Options as data. One OptionDef per option — name, flag, parser with its limits, default, help, experiment
 * file key, RunConfig field — from which the CLI generates commander options and --help, the experiment file
 * takes its keys, and the JSON schema is written. `parseOptions` is the one validator: flags and file values
 * go through it alike, and it collects every problem (one line each, `--flag: message`) instead of
 * stopping at the first.
 *
 * Why not zod or TypeBox: `--help` loads these definitions, and either library alone costs more CPU than the
 * rest of `--help` (the README's dependency list has the measurements). Each parser is a few lines and emits
 * its own JSON-schema fragment.
 */

import { DURATION_PATTERN, durationMs, showMs } from './duration.js';
import { noteSecret, noteUrlSecrets } from './redact.js';

/** A raw value as commander hands it over or the experiment file reader produces it. */
export type RawValue = string | boolean | string[];

export type JsonSchema = Record<string, unknown>;

/** How an experiment file spells the value (the file reader checks the shape before the parser sees it); strings: text or a list of text. */
export type FileType = 'string' | 'number' | 'duration' | 'boolean' | 'headers' | 'status' | 'strings';

/** Thrown by a parser; the message is what follows `--flag: ` (parseOptions adds the flag). */
export class OptionError extends Error {}

export interface Parser<T> {
  fileType: FileType;
  /** Parses a raw value; throws OptionError naming the value and the accepted range. */
  parse(raw: RawValue): T;
  /** The JSON-schema fragment of the value in an experiment file. */
  schema: JsonSchema;
  /** Formats a default for --help and the schema's descriptions. */
  show?(value: T): string;
}

export interface OptionDef<T = unknown> {
  /** camelCase key: commander's attribute name for the flag and the raw option key. */
  name: string;
  /** `--rate` */
  flag: string;
  /** `-y` */
  short?: string;
  /** `<n>`; absent for a switch (a boolean flag that takes no value). */
  arg?: string;
  parser: Parser<T>;
  default?: T;
  /** The default in words, when it is not a plain value (`random`, `2xx and 3xx`, from the environment). */
  defaultText?: string;
  help: string;
  /** Given more than once, the values add up (e.g. --header). */
  repeatable?: boolean;
  /** Required, with what it is for: `--asg: required (the Auto Scaling group to test)`. */
  required?: string;
  /** Where it lives in an experiment file; absent: flag only. */
  file?: { section: string; key?: string };
  /** The validated config's field it sets (default: name). */
  field?: string;
  /** Options (by name) that cannot be given with this one. */
  conflicts?: readonly string[];
}

const quote = (v: RawValue): string => `'${Array.isArray(v) ? v.join(',') : String(v)}'`;
const textOf = (v: RawValue): string => {
  if (typeof v !== 'string') throw new OptionError(`${quote(v)} must be a value`);
  return v;
};
const anyOf = (...types: string[]): JsonSchema => ({ type: types });

/** Free text; empty text is refused (it would silently mean "not given"). `pattern` narrows it. */
export function text(opts: { pattern?: RegExp; expect?: string; upper?: boolean } = {}): Parser<string> {
  return {
    fileType: 'string',
    // A pattern applies to text only: a YAML number (a count, a seed) still passes to the parser.
    schema: opts.pattern ? { type: ['string', 'number'], pattern: opts.pattern.source } : anyOf('string', 'number'),
    parse(raw) {
      const v = textOf(raw).trim();
      if (v === '') throw new OptionError('must not be empty');
      if (opts.pattern && !opts.pattern.test(v)) throw new OptionError(`${quote(raw)} must be ${opts.expect ?? `like ${opts.pattern.source}`}`);
      return opts.upper ? v.toUpperCase() : v;
    },
  };
}

/** One of a fixed list. */
export function choice(choices: readonly string[]): Parser<string> {
  return {
    fileType: 'string',
    schema: { enum: [...choices] },
    parse(raw) {
      const v = textOf(raw).trim();
      if (!choices.includes(v)) throw new OptionError(`${quote(raw)} is not one of ${choices.join(', ')}`);
      return v;
    },
  };
}

/** A comma-separated list of choices, duplicates dropped: `md,junit`. */
export function list(choices: readonly string[]): Parser<string[]> {
  return {
    fileType: 'string',
    schema: { type: 'string', pattern: `^\\s*(${choices.join('|')})\\s*(,\\s*(${choices.join('|')})\\s*)*$` },
    parse(raw) {
      const names = textOf(raw)
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
      const bad = names.filter((n) => !choices.includes(n));
      if (bad.length || names.length === 0) throw new OptionError(`${quote(raw)} ${bad.length ? `has unknown ${bad.join(', ')}` : 'is empty'}; choose from ${choices.join(', ')}`);
      return [...new Set(names)];
    },
    show: (v) => v.join(','),
  };
}

/** A number in [min, max]; `int` for whole numbers. */
export function number(min: number, max: number, opts: { int?: boolean } = {}): Parser<number> {
  const what = opts.int ? 'a whole number' : 'a number';
  return {
    fileType: 'number',
    schema: {
      oneOf: [
        { type: opts.int ? 'integer' : 'number', minimum: min, maximum: max },
        { type: 'string', pattern: opts.int ? '^\\s*\\d+\\s*$' : '^\\s*-?\\d*\\.?\\d+\\s*$' },
      ],
    },
    parse(raw) {
      const v = textOf(raw);
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n) || (opts.int && !Number.isInteger(n)) || n < min || n > max) {
        throw new OptionError(`${quote(raw)} must be ${what} from ${min} to ${max}`);
      }
      return n;
    },
  };
}

export const int = (min: number, max: number): Parser<number> => number(min, max, { int: true });

/** A rate 0-1, also as a percentage: `0.01` or `1%`. */
export function rate(): Parser<number> {
  return {
    fileType: 'string',
    schema: {
      oneOf: [
        { type: 'number', minimum: 0, maximum: 1 },
        { type: 'string', pattern: '^\\s*(\\d*\\.?\\d+|\\d+(\\.\\d+)?\\s*%)\\s*$' },
      ],
    },
    parse(raw) {
      const t = textOf(raw).trim();
      const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(t);
      const n = pct ? Number(pct[1]) / 100 : /^\d*\.?\d+$/.test(t) ? Number(t) : NaN;
      if (!(Number.isFinite(n) && n >= 0 && n <= 1)) throw new OptionError(`${quote(raw)} must be a rate from 0 to 1 (or 0%-100%)`);
      return n;
    },
  };
}

/**
 * A duration in [minMs, maxMs]. Every duration that becomes a timer has a maximum: Node timers hold at most
 * 2^31-1 ms (~24.8 days) and fire at once beyond it, so an absurd value must be a usage error, not a timer
 * that fires immediately or a RangeError.
 */
export function duration(minMs: number, maxMs: number): Parser<number> {
  return {
    fileType: 'duration',
    schema: {
      oneOf: [
        { type: 'string', pattern: DURATION_PATTERN },
        { type: 'number', minimum: minMs / 1000, maximum: maxMs / 1000 },
      ],
    },
    parse(raw) {
      const ms = durationMs(textOf(raw));
      if (Number.isNaN(ms)) throw new OptionError(`${quote(raw)} is not a duration (use e.g. 500ms, 30s, 5m)`);
      if (!(ms >= minMs && ms <= maxMs)) throw new OptionError(`${quote(raw)} must be from ${showMs(minMs)} to ${showMs(maxMs)}`);
      return ms;
    },
    show: showMs,
  };
}

/** A switch: true when given; files say true or false. */
export function boolean(): Parser<boolean> {
  return {
    fileType: 'boolean',
    schema: { type: 'boolean' },
    parse(raw) {
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw new OptionError(`${quote(raw)} must be true or false`);
    },
  };
}

// RFC 9110 token characters; undici would reject anything else later, with a less helpful message.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Repeatable `Name: value` headers → a map (the name as given). */
export function headers(): Parser<Record<string, string>> {
  return {
    fileType: 'headers',
    schema: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    parse(raw) {
      const out: Record<string, string> = {};
      const bad: string[] = [];
      const badValue: string[] = [];
      for (const h of Array.isArray(raw) ? raw : [textOf(raw)]) {
        const i = h.indexOf(':');
        const name = i > 0 ? h.slice(0, i).trim() : '';
        const value = i > 0 ? h.slice(i + 1).trim() : '';
        // A header value is a secret as often as not (Authorization, API keys): noted before any message can
        // quote it, and messages name the header only.
        noteSecret(value);
        if (!TOKEN.test(name)) bad.push(i > 0 ? `${h.slice(0, i)}: …` : h.length > 40 ? `${h.slice(0, 40)}…` : h);
        // HTTP field values cannot carry CR, LF or NUL (RFC 9110 §5.5): such a value would split the request.
        else if (/[\r\n\0]/.test(value)) badValue.push(name);
        else out[name] = value;
      }
      if (bad.length) throw new OptionError(`${bad.map((b) => `'${b}'`).join(', ')} must look like 'Name: value' (the name an HTTP token)`);
      if (badValue.length) throw new OptionError(`the value of ${badValue.join(', ')} contains CR, LF or NUL, which HTTP header values cannot carry`);
      return out;
    },
    show: (v) =>
      Object.keys(v).length
        ? Object.entries(v)
            .map(([k, x]) => `${k}: ${x}`)
            .join(', ')
        : 'none',
  };
}

/** HTTP status codes: `200,204` (files: also 200 or [200, 204]). */
export function statusCodes(): Parser<number[]> {
  return {
    fileType: 'status',
    schema: {
      oneOf: [
        { type: 'integer', minimum: 100, maximum: 599 },
        { type: 'string', pattern: '^\\s*[1-5]\\d\\d\\s*(,\\s*[1-5]\\d\\d\\s*)*$' },
        { type: 'array', minItems: 1, items: { type: 'integer', minimum: 100, maximum: 599 } },
      ],
    },
    parse(raw) {
      const codes = textOf(raw)
        .split(',')
        .map((s) => s.trim());
      if (codes.some((c) => !/^[1-5]\d\d$/.test(c))) throw new OptionError(`${quote(raw)} must be HTTP status codes, e.g. 200,204`);
      return codes.map(Number);
    },
  };
}

/** An absolute http:// or https:// URL. */
export function url(): Parser<string> {
  return {
    fileType: 'string',
    schema: { type: 'string', pattern: '^https?://' },
    parse(raw) {
      const v = textOf(raw).trim();
      // Noted first: a URL may carry credentials, and the messages below quote what was given.
      noteUrlSecrets(v);
      let u: URL;
      try {
        u = new URL(v);
      } catch {
        throw new OptionError(`${quote(raw)} is not a URL (an absolute http:// or https:// URL)`);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new OptionError(`${quote(raw)} must be http:// or https://`);
      return v;
    },
  };
}

/** The default as --help and the schema show it. */
export function shownDefault(def: OptionDef): string | undefined {
  if (def.defaultText !== undefined) return def.defaultText;
  if (def.default === undefined || def.default === false) return undefined;
  if (def.parser.show) return def.parser.show(def.default);
  const d = def.default;
  return typeof d === 'string' || typeof d === 'number' || typeof d === 'boolean' ? String(d) : JSON.stringify(d);
}

/** True when a raw value counts as given (a switch set to false does not). */
export const isGiven = (v: RawValue | undefined): v is RawValue => v !== undefined && v !== false;

export interface ParsedOptions {
  /** Parsed values by option name; defaults filled in for options not given. */
  values: Record<string, unknown>;
  /** Names of the options given. */
  given: Set<string>;
  /** Every problem, one line each: `--flag: message`. */
  errors: string[];
}

/** Parses `raw` (by option name) against `defs`: every problem collected, defaults filled in. */
export function parseOptions(defs: readonly OptionDef[], raw: Readonly<Record<string, RawValue | undefined>>): ParsedOptions {
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  const errors: string[] = [];
  for (const def of defs) {
    const v = raw[def.name];
    if (!isGiven(v)) {
      if (def.required) errors.push(`${def.flag}: required (${def.required})`);
      if (def.default !== undefined) values[def.name] = def.default;
      continue;
    }
    given.add(def.name);
    try {
      values[def.name] = def.parser.parse(v);
    } catch (err) {
      if (!(err instanceof OptionError)) throw err;
      errors.push(`${def.flag}: ${err.message}`);
      if (def.default !== undefined) values[def.name] = def.default;
    }
  }
  for (const def of defs) {
    for (const other of def.conflicts ?? []) {
      const o = defs.find((d) => d.name === other);
      if (o && given.has(def.name) && given.has(other)) errors.push(`${def.flag} and ${o.flag}: give one or the other`);
    }
  }
  return { values, given, errors };
}
