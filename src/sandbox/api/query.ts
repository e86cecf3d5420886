/**
 * Reading query-protocol parameters. Both EC2 and awsQuery send flat `application/x-www-form-urlencoded`
 * keys; lists and structures are encoded in the key names (`InstanceId.1`, `Filter.1.Value.2`,
 * `Names.member.1`, `Tags.member.1.Key`). These helpers turn them back into values, and throw AWS-shaped
 * errors for missing or malformed ones.
 */
import { ApiError, invalidParameterValue, missingParameter } from './errors.js';

export class Params {
  constructor(readonly raw: Map<string, string>) {}

  static parse(body: string, search = ''): Params {
    const raw = new Map<string, string>();
    for (const src of [search, body]) {
      for (const [k, v] of new URLSearchParams(src)) raw.set(k, v);
    }
    return new Params(raw);
  }

  get action(): string | undefined {
    return this.raw.get('Action');
  }

  get version(): string | undefined {
    return this.raw.get('Version');
  }

  str(name: string): string | undefined {
    return this.raw.get(name);
  }

  required(name: string): string {
    const v = this.raw.get(name);
    if (v === undefined || v === '') throw missingParameter(name);
    return v;
  }

  int(name: string, range?: { min?: number; max?: number }): number | undefined {
    const v = this.raw.get(name);
    if (v === undefined || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw invalidParameterValue(name, v, 'must be an integer');
    const n = Number(v);
    if (range?.min !== undefined && n < range.min) throw invalidParameterValue(name, v, `must be at least ${range.min}`);
    if (range?.max !== undefined && n > range.max) throw invalidParameterValue(name, v, `must be at most ${range.max}`);
    return n;
  }

  bool(name: string): boolean | undefined {
    const v = this.raw.get(name);
    if (v === undefined || v === '') return undefined;
    if (v !== 'true' && v !== 'false') throw invalidParameterValue(name, v, 'must be true or false');
    return v === 'true';
  }

  /** `Prefix.1`, `Prefix.2`, … (EC2 flattened list) in index order. */
  list(prefix: string): string[] {
    return this.indexed(prefix).map(([, k]) => this.raw.get(k)!);
  }

  /** `Prefix.member.1`, … (awsQuery list). */
  members(prefix: string): string[] {
    return this.list(`${prefix}.member`);
  }

  /**
   * Structured list entries: for `Filter.1.Name`, `Filter.1.Value.1` returns one Params per index holding
   * `Name`, `Value.1`. Use `structs('Tags.member')` for awsQuery structures.
   */
  structs(prefix: string): Params[] {
    const groups = new Map<number, Map<string, string>>();
    const head = `${prefix}.`;
    for (const [k, v] of this.raw) {
      if (!k.startsWith(head)) continue;
      const rest = k.slice(head.length);
      const dot = rest.indexOf('.');
      const idx = Number(dot < 0 ? rest : rest.slice(0, dot));
      if (!Number.isInteger(idx) || idx < 1) continue;
      let g = groups.get(idx);
      if (!g) groups.set(idx, (g = new Map<string, string>()));
      if (dot >= 0) g.set(rest.slice(dot + 1), v);
    }
    return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => new Params(m));
  }

  /** The single structure under `Prefix.` (e.g. `LaunchTemplate.LaunchTemplateId`). */
  struct(prefix: string): Params | undefined {
    const head = `${prefix}.`;
    const m = new Map<string, string>();
    for (const [k, v] of this.raw) if (k.startsWith(head)) m.set(k.slice(head.length), v);
    return m.size ? new Params(m) : undefined;
  }

  /** EC2 filters: `Filter.N.Name` with `Filter.N.Value.M`. */
  filters(): { name: string; values: string[] }[] {
    return this.structs('Filter').map((f) => {
      const name = f.str('Name');
      if (!name) throw new ApiError('InvalidParameterValue', 'The filter Name must be provided');
      return { name, values: f.list('Value') };
    });
  }

  private indexed(prefix: string): [number, string][] {
    const head = `${prefix}.`;
    const out: [number, string][] = [];
    for (const k of this.raw.keys()) {
      if (!k.startsWith(head)) continue;
      const rest = k.slice(head.length);
      if (/^\d+$/.test(rest)) out.push([Number(rest), k]);
    }
    return out.sort((a, b) => a[0] - b[0]);
  }
}

/**
 * Matches a value against an EC2 filter value, which may use `*` (any run) and `?` (one character).
 */
export function filterMatch(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (!/[*?]/.test(pattern)) return pattern === value;
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(value);
}

/**
 * Where a listing resumes: the sort key of the last item a page returned. Keys are compared element by
 * element (numbers numerically, strings by localeCompare), and a listing is always served in key order.
 */
export type PageKey = (string | number)[];

export function compareKeys(a: PageKey, b: PageKey): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const d = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Opaque tokens carrying the last returned item's key, not a list position: an item created or deleted
 * between two pages then neither repeats nor hides the items around it (a position shifts with every
 * change; a key does not). A token that does not decode is InvalidNextToken here; EC2 and ELBv2 callers
 * rename it to their own code.
 */
export function encodeToken(after: PageKey): string {
  return Buffer.from(JSON.stringify({ after })).toString('base64url');
}

export function decodeToken(token: string | undefined): PageKey | undefined {
  if (!token) return undefined;
  const invalid = new ApiError('InvalidNextToken', `The token '${token}' is invalid.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString());
  } catch {
    throw invalid;
  }
  const after = (parsed as { after?: unknown } | null)?.after;
  if (!Array.isArray(after) || !after.length || after.some((k) => typeof k !== 'string' && typeof k !== 'number')) throw invalid;
  return after as PageKey;
}

/**
 * One page of `items`, served in `keyOf` order (a stable sort, so lists already in that order keep it),
 * resuming after the token's key; returns the next token when more remain.
 */
export function paginate<T>(items: T[], token: string | undefined, pageSize: number, keyOf: (item: T) => PageKey): { page: T[]; next?: string } {
  const after = decodeToken(token);
  const keyed = items.map((item) => ({ item, key: keyOf(item) })).sort((a, b) => compareKeys(a.key, b.key));
  const start = after ? keyed.findIndex((k) => compareKeys(k.key, after) > 0) : 0;
  const rest = start < 0 ? [] : keyed.slice(start);
  const page = rest.slice(0, pageSize);
  return rest.length > page.length ? { page: page.map((k) => k.item), next: encodeToken(page.at(-1)!.key) } : { page: page.map((k) => k.item) };
}
