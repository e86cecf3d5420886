/**
 * CloudWatch's input, read the same way whichever envelope carried it: AWS JSON 1.0 (a JSON document with
 * the model's member names; timestamps as epoch seconds) or awsQuery (flat form keys, lists as
 * `Name.member.N`, timestamps as ISO 8601). Both are turned into one nested value and read through `Input`,
 * so every action has one handler. Malformed values are InvalidParameterValue, as CloudWatch answers them.
 */
import { ApiError, invalidParameterValue, missingParameter } from './errors.js';
import type { Params } from './query.js';

type Value = string | number | boolean | null | Value[] | { [k: string]: Value };
type Obj = { [k: string]: Value };

export class Input {
  constructor(private readonly v: Obj) {}

  /** An AWS JSON 1.0 body; an unreadable one is the JSON protocols' SerializationException. */
  static fromJson(body: string): Input {
    let parsed: unknown;
    try {
      parsed = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      throw new ApiError('SerializationException', 'Start of structure or map found where not expected.');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ApiError('SerializationException', 'The request body must be a JSON object.');
    return new Input(parsed as Obj);
  }

  /** awsQuery parameters (`AlarmNames.member.1`, `MetricData.member.1.Dimensions.member.1.Name`, …). */
  static fromQuery(p: Params): Input {
    const root: Obj = {};
    for (const [key, value] of p.raw) {
      if (key === 'Action' || key === 'Version') continue;
      setPath(root, key.split('.'), value);
    }
    return new Input(root);
  }

  has(name: string): boolean {
    return this.v[name] !== undefined && this.v[name] !== null;
  }

  str(name: string): string | undefined {
    const x = this.v[name];
    if (x === undefined || x === null) return undefined;
    if (typeof x === 'string') return x;
    if (typeof x === 'number' || typeof x === 'boolean') return String(x);
    throw invalidParameterValue(name, JSON.stringify(x), 'must be a string');
  }

  required(name: string): string {
    const s = this.str(name);
    if (s === undefined || s === '') throw missingParameter(name);
    return s;
  }

  num(name: string): number | undefined {
    const x = this.v[name];
    if (x === undefined || x === null || x === '') return undefined;
    const n = typeof x === 'number' ? x : typeof x === 'string' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(x.trim()) ? Number(x) : NaN;
    if (!Number.isFinite(n)) throw invalidParameterValue(name, show(x), 'must be a number');
    return n;
  }

  int(name: string, range: { min?: number; max?: number } = {}): number | undefined {
    const n = this.num(name);
    if (n === undefined) return undefined;
    if (!Number.isInteger(n)) throw invalidParameterValue(name, String(n), 'must be an integer');
    if (range.min !== undefined && n < range.min) throw invalidParameterValue(name, String(n), `must be at least ${range.min}`);
    if (range.max !== undefined && n > range.max) throw invalidParameterValue(name, String(n), `must be at most ${range.max}`);
    return n;
  }

  bool(name: string): boolean | undefined {
    const x = this.v[name];
    if (x === undefined || x === null || x === '') return undefined;
    if (x === true || x === 'true') return true;
    if (x === false || x === 'false') return false;
    throw invalidParameterValue(name, show(x), 'must be true or false');
  }

  /** A timestamp: epoch seconds (JSON) or ISO 8601 (query; botocore may also send epoch seconds). */
  date(name: string): Date | undefined {
    const x = this.v[name];
    if (x === undefined || x === null || x === '') return undefined;
    const ms = typeof x === 'number' ? x * 1000 : typeof x === 'string' && /^\d+(\.\d+)?$/.test(x) ? Number(x) * 1000 : typeof x === 'string' ? Date.parse(x) : NaN;
    if (!Number.isFinite(ms)) throw invalidParameterValue(name, show(x), 'must be a timestamp');
    return new Date(ms);
  }

  /** A list of structures. */
  list(name: string): Input[] {
    return this.array(name).map((x, i) => {
      if (x === null || typeof x !== 'object' || Array.isArray(x)) throw invalidParameterValue(`${name}.member.${i + 1}`, JSON.stringify(x), 'must be a structure');
      return new Input(x);
    });
  }

  strings(name: string): string[] {
    return this.array(name).map((x) => (typeof x === 'string' ? x : show(x)));
  }

  numbers(name: string): number[] {
    return this.array(name).map((x, i) => {
      const n = typeof x === 'number' ? x : typeof x === 'string' && x.trim() !== '' ? Number(x) : NaN;
      if (!Number.isFinite(n)) throw invalidParameterValue(`${name}.member.${i + 1}`, show(x), 'must be a number');
      return n;
    });
  }

  struct(name: string): Input | undefined {
    const x = this.v[name];
    if (x === undefined || x === null) return undefined;
    if (typeof x !== 'object' || Array.isArray(x)) throw invalidParameterValue(name, show(x), 'must be a structure');
    return new Input(x);
  }

  private array(name: string): Value[] {
    const x = this.v[name];
    // An empty awsQuery list is sent as `Name=` (botocore).
    if (x === undefined || x === null || x === '') return [];
    if (!Array.isArray(x)) throw invalidParameterValue(name, show(x), 'must be a list');
    return x;
  }
}

/** A value as an error message quotes it. */
function show(x: Value): string {
  return typeof x === 'string' ? x : JSON.stringify(x);
}

/** Puts `value` at a query key's path; `X.member.N` makes X a list (index N, from 1). */
function setPath(container: Obj, segs: string[], value: string): void {
  const [head, ...rest] = segs;
  if (head === undefined || head === '') return;
  if (rest[0] === 'member' && rest[1] !== undefined && /^\d+$/.test(rest[1])) {
    const index = Number(rest[1]) - 1;
    if (index < 0) return;
    const arr = Array.isArray(container[head]) ? container[head] : (container[head] = []);
    const tail = rest.slice(2);
    if (tail.length === 0) {
      arr[index] = value;
      return;
    }
    const slot = arr[index];
    const obj = slot && typeof slot === 'object' && !Array.isArray(slot) ? slot : (arr[index] = {});
    setPath(obj, tail, value);
    return;
  }
  if (rest.length === 0) {
    container[head] = value;
    return;
  }
  const slot = container[head];
  const obj = slot && typeof slot === 'object' && !Array.isArray(slot) ? slot : (container[head] = {});
  setPath(obj, rest, value);
}
