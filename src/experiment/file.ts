/**
 * Experiment files (YAML, or JSON — a YAML parser reads both): `defaults:` merged under each entry of
 * `experiments:`. Every problem is collected and reported at once as `file:line path: message`, BEFORE any
 * AWS call, like the flags. Values are checked twice by design: shape here (unknown keys, types, `${VAR}`),
 * meaning by validateRunOptions — the one validator of run options — whose messages name flags and are
 * mapped back to the file's keys and lines.
 *
 * `${NAME}` in a string value is replaced from the environment (secrets such as probe tokens stay out of
 * the file); `${NAME:-fallback}` gives a default; `$${` is a literal `${`. A missing variable is an error.
 */
import { noteSecret } from '../core/redact.js';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { ChaosError, ExitCode } from '../core/errors.js';
import { validateRunOptions, type RawRunOptions } from './config.js';
import { FILE_KEYS, KEY_OF_FLAG, SECTIONS, type FileKey, type Section } from './file-keys.js';
import { parseGateOptions, type GateThresholds } from './gates.js';

export interface FileExperiment {
  name: string;
  /** Raw run options, as if typed as flags: feed to validateRunOptions (with any CLI overrides on top). */
  raw: RawRunOptions;
  gates: GateThresholds;
  /** 1-based line of the experiment's entry in the file. */
  line: number;
}

export interface ExperimentFile {
  path: string;
  experiments: FileExperiment[];
}

interface Leaf {
  value: unknown;
  path: string;
  line: number;
}

const TOP_KEYS = ['version', 'defaults', 'experiments'];

class Collector {
  readonly errors: { line: number; text: string }[] = [];
  constructor(
    readonly file: string,
    private readonly lc: LineCounter,
    private readonly doc: Document,
  ) {}
  line(node: { range?: [number, number, number] | null } | null | undefined, fallback = 1): number {
    const at = node?.range?.[0];
    return at === undefined ? fallback : this.lc.linePos(at).line;
  }
  add(line: number, path: string, message: string): void {
    this.errors.push({ line, text: `${this.file}:${line} ${path}: ${message}` });
  }
  resolve(node: unknown): unknown {
    return node && typeof node === 'object' && 'resolve' in node && typeof node.resolve === 'function' && !isMap(node) && !isSeq(node) && !isScalar(node)
      ? (node as { resolve: (d: Document) => unknown }).resolve(this.doc)
      : node;
  }
}

/** Pairs of a YAML map as [key text, key node, value node]; non-text keys are reported. */
function pairs(c: Collector, map: unknown, path: string): [string, YamlNode | null, unknown][] {
  if (!isMap(map)) return [];
  const out: [string, YamlNode | null, unknown][] = [];
  for (const p of map.items) {
    const keyNode = p.key as YamlNode | null;
    const key = isScalar(keyNode) ? keyNode.value : keyNode;
    if (typeof key !== 'string') {
      c.add(c.line(keyNode), path, 'keys must be plain text');
      continue;
    }
    out.push([key, keyNode, c.resolve(p.value)]);
  }
  return out;
}

const typeName = (node: unknown): string => (isMap(node) ? 'a mapping' : isSeq(node) ? 'a list' : isScalar(node) ? (node.value === null ? 'empty' : typeof node.value) : 'empty');

/** Reads one section's keys into leaves (headers become one leaf per header name). */
function readSection(c: Collector, section: Section, node: unknown, path: string, keyLine: number, into: Map<string, Leaf>): void {
  if (!isMap(node)) {
    c.add(c.line(node as never, keyLine), path, `must be a mapping of keys (got ${typeName(node)})`);
    return;
  }
  const known = FILE_KEYS[section];
  for (const [key, keyNode, value] of pairs(c, node, path)) {
    const def = known[key];
    const p = `${path}.${key}`;
    const line = c.line((value as never) ?? keyNode, c.line(keyNode));
    if (!def) {
      c.add(c.line(keyNode), p, `unknown key (expected one of ${Object.keys(known).join(', ')})`);
      continue;
    }
    if (def.type === 'headers') {
      if (!isMap(value)) {
        c.add(line, p, `must be a mapping of header name to value (got ${typeName(value)})`);
        continue;
      }
      for (const [name, hKey, hVal] of pairs(c, value, p)) {
        const hLine = c.line((hVal as never) ?? hKey, c.line(hKey));
        if (!isScalar(hVal) || hVal.value === null || typeof hVal.value === 'object') c.add(hLine, `${p}.${name}`, 'must be a text value');
        else into.set(`${section}.headers.${name}`, { value: hVal.value, path: `${p}.${name}`, line: hLine });
      }
      continue;
    }
    into.set(`${section}.${key}`, { value: scalarOf(c, def, value, p, line), path: p, line });
  }
}

/** The plain value of a leaf, checked against its type; undefined (after reporting) when it does not fit. */
function scalarOf(c: Collector, def: FileKey, node: unknown, path: string, line: number): unknown {
  if (def.type === 'status' && isSeq(node)) {
    const items = node.items.map((i) => (isScalar(i) ? i.value : undefined));
    if (items.some((v) => typeof v !== 'number' && typeof v !== 'string')) {
      c.add(line, path, 'must be a status code or a list of them, e.g. [200, 204]');
      return undefined;
    }
    return items.join(',');
  }
  if (def.type === 'strings' && isSeq(node)) {
    const items = node.items.map((i) => (isScalar(i) ? i.value : undefined));
    if (!items.length || items.some((v) => (typeof v !== 'number' && typeof v !== 'string') || String(v).trim() === '')) {
      c.add(line, path, 'must be text or a list of text');
      return undefined;
    }
    return items.map(String);
  }
  if (!isScalar(node) || node.value === null) {
    c.add(line, path, `must have a value (got ${typeName(node)})`);
    return undefined;
  }
  const v = node.value;
  if (def.type === 'boolean') {
    if (typeof v !== 'boolean') c.add(line, path, `must be true or false (got ${JSON.stringify(v)})`);
    return typeof v === 'boolean' ? v : undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') {
    c.add(line, path, `must be ${def.type === 'number' ? 'a number' : 'text'} (got ${typeof v})`);
    return undefined;
  }
  return v;
}

/** Replaces `${NAME}` / `${NAME:-default}` from env; reports each missing variable at its leaf. */
export function interpolate(text: string, env: NodeJS.ProcessEnv, missing: (name: string) => void): string {
  return text.replace(/\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_match, name: string | undefined, fallback: string | undefined) => {
    if (name === undefined) return '${';
    const v = env[name];
    // A value from the environment is typically a secret (a token kept out of the file on purpose).
    if (v !== undefined && v !== '') {
      noteSecret(v);
      return v;
    }
    if (fallback !== undefined) return fallback;
    missing(name);
    return '';
  });
}

/** Experiment files are small; anything larger than this is refused before it is read. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** Parses and validates an experiment file; throws ChaosError (exit 2) listing every problem. */
export async function loadExperimentFile(path: string, env: NodeJS.ProcessEnv = process.env): Promise<ExperimentFile> {
  let text: string;
  try {
    // Bounded before reading: a huge file (a log passed by mistake) would otherwise take the process's memory.
    const { size } = await stat(path);
    if (size > MAX_FILE_BYTES) {
      throw new ChaosError(ExitCode.Usage, `experiment file ${path} is ${(size / 1048576).toFixed(1)} MiB; at most 1 MiB is read`, {
        phase: 'config',
        hint: 'an experiment file lists experiments; split it, or check the path',
      });
    }
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof ChaosError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ChaosError(ExitCode.Usage, `cannot read experiment file ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, { phase: 'config', cause: err });
  }
  return parseExperimentFile(text, basename(path), env, path);
}

/** The same from text; `file` is the name used in messages. */
export function parseExperimentFile(text: string, file: string, env: NodeJS.ProcessEnv = process.env, path = file): ExperimentFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const c = new Collector(file, lc, doc);
  for (const e of [...doc.errors, ...doc.warnings]) {
    c.add(lc.linePos(e.pos[0]).line, '(syntax)', e.message.split('\n')[0] ?? e.message);
  }
  if (doc.errors.length) fail(c);

  const root = doc.contents;
  if (!isMap(root)) {
    c.add(c.line(root), '(top)', 'must be a mapping with `experiments:` (and optional `defaults:`)');
    fail(c);
  }
  const defaults = new Map<string, Leaf>();
  let list: unknown;
  let listLine = 1;
  for (const [key, keyNode, value] of pairs(c, root, '(top)')) {
    if (!TOP_KEYS.includes(key)) c.add(c.line(keyNode), key, `unknown key (expected one of ${TOP_KEYS.join(', ')})`);
    else if (key === 'version') {
      if (!isScalar(value) || value.value !== 1) c.add(c.line(value as never, c.line(keyNode)), 'version', 'must be 1');
    } else if (key === 'defaults') readSections(c, value, 'defaults', c.line(keyNode), defaults, false);
    else {
      list = value;
      listLine = c.line(keyNode);
    }
  }
  if (!isSeq(list) || list.items.length === 0) {
    c.add(listLine, 'experiments', list === undefined ? 'required: a list of experiments' : 'must be a non-empty list of experiments');
    fail(c);
  }

  const experiments: FileExperiment[] = [];
  const names = new Map<string, number>();
  list.items.forEach((item, i) => {
    const node = c.resolve(item);
    const base = `experiments[${i}]`;
    const line = c.line(node as never, listLine);
    const own = new Map<string, Leaf>();
    const name = readSections(c, node, base, line, own, true) ?? `experiment ${i + 1}`;
    if (names.has(name)) c.add(line, `${base}.name`, `'${name}' is already the name of experiments[${names.get(name)}]`);
    names.set(name, i);
    const leaves = new Map([...defaults, ...own]);
    experiments.push(toExperiment(c, name, base, line, leaves, env));
  });
  if (c.errors.length) fail(c);
  return { path, experiments };
}

/** Reads the sections (and, for an experiment, `name`) of one mapping; returns the name if any. */
function readSections(c: Collector, node: unknown, base: string, line: number, into: Map<string, Leaf>, allowName: boolean): string | undefined {
  if (!isMap(node)) {
    c.add(line, base, `must be a mapping with ${allowName ? 'name, ' : ''}${SECTIONS.join(', ')} (got ${typeName(node)})`);
    return undefined;
  }
  let name: string | undefined;
  for (const [key, keyNode, value] of pairs(c, node, base)) {
    const kLine = c.line(keyNode);
    if (allowName && key === 'name') {
      if (!isScalar(value) || (typeof value.value !== 'string' && typeof value.value !== 'number') || String(value.value).trim() === '') c.add(kLine, `${base}.name`, 'must be text');
      else name = String(value.value);
    } else if ((SECTIONS as string[]).includes(key)) readSection(c, key as Section, value, `${base}.${key}`, kLine, into);
    else c.add(kLine, `${base}.${key}`, `unknown key (expected one of ${[...(allowName ? ['name'] : []), ...SECTIONS].join(', ')})`);
  }
  return name;
}

/** A leaf's value as the option parsers take it (leaves were checked to be scalars by scalarOf). */
function scalarText(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

function toExperiment(c: Collector, name: string, base: string, line: number, leaves: Map<string, Leaf>, env: NodeJS.ProcessEnv): FileExperiment {
  const raw: RawRunOptions = {};
  const gateRaw: Record<string, string> = {};
  const headers: string[] = [];
  for (const [id, leaf] of leaves) {
    if (leaf.value === undefined) continue;
    let v = leaf.value;
    const missing = (n: string) => c.add(leaf.line, leaf.path, `environment variable ${n} is not set`);
    if (typeof v === 'string') v = interpolate(v, env, missing);
    if (Array.isArray(v)) v = v.map((x: string) => interpolate(x, env, missing));
    const [section, key, header] = id.split('.') as [Section, string, string?];
    if (header !== undefined) headers.push(`${header}: ${scalarText(v)}`);
    else if (section === 'gates') gateRaw[FILE_KEYS.gates[key]!.raw] = scalarText(v);
    else raw[FILE_KEYS[section][key]!.raw] = typeof v === 'boolean' ? v : Array.isArray(v) ? (v as string[]) : scalarText(v);
  }
  if (headers.length) raw.header = headers;
  const where = (flag: string): Leaf => {
    const sk = KEY_OF_FLAG.get(flag);
    const leaf = sk ? leaves.get(`${sk[0]}.${sk[1]}`) : undefined;
    if (flag === '--header') return { value: undefined, path: `${base}.probe.headers`, line: [...leaves.values()].find((l) => l.path.includes('.probe.headers.'))?.line ?? line };
    return leaf ?? { value: undefined, path: sk ? `${base}.${sk[0]}.${sk[1]}` : base, line };
  };
  const report = (message: string): void => {
    const m = /^(--[a-z0-9-]+)(?:[^:]*)?: (.*)$/s.exec(message);
    if (!m) return c.add(line, base, message);
    const leaf = where(m[1] as string);
    c.add(leaf.line, leaf.path, m[2] as string);
  };
  const { thresholds, errors } = parseGateOptions(gateRaw);
  errors.forEach(report);
  try {
    validateRunOptions(raw, env);
  } catch (err) {
    if (!(err instanceof ChaosError)) throw err;
    const lines = err.message.split('\n').map((l) => l.trim());
    (lines.length > 1 ? lines.slice(1) : lines).filter(Boolean).forEach(report);
  }
  return { name, raw, gates: thresholds, line };
}

function fail(c: Collector): never {
  const sorted = [...c.errors].sort((a, b) => a.line - b.line).map((e) => e.text);
  throw new ChaosError(ExitCode.Usage, `${c.file}: ${sorted.length} problem${sorted.length === 1 ? '' : 's'}:\n  ${sorted.join('\n  ')}`, {
    phase: 'config',
    hint: 'fix the lines above (schema: schema/experiment.schema.json); nothing was run',
  });
}
