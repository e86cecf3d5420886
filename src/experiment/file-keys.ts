/**
 * The experiment file's keys, derived from the option table (run-options.ts, the faults' own options and the
 * gates): for each section key, the raw run option it sets (the same camelCase key commander produces from
 * the `run` flag, so validateRunOptions judges both the same way), the flag its error messages name, and the
 * YAML value type accepted. schema/experiment.schema.json is generated from the same table (schema.ts).
 */
import type { FileType, OptionDef } from '../core/options.js';
import { RUN_OPTIONS } from './run-options.js';

/** string: text or number · number: a number or numeric text · duration: '30s' or seconds · boolean · headers: map · status: 200 | '200,204' | [200, 204] */
export type ValueType = FileType;

export interface FileKey {
  /** Raw run option key (commander's camelCase of the flag). */
  raw: string;
  /** The `run` flag, as validateRunOptions names it in messages. */
  flag: string;
  type: ValueType;
  def: OptionDef;
}

export type Section = 'target' | 'fault' | 'probe' | 'timings' | 'gates';
export const SECTIONS: Section[] = ['target', 'fault', 'probe', 'timings', 'gates'];

function keysOf(section: Section): Record<string, FileKey> {
  return Object.fromEntries(RUN_OPTIONS.filter((d) => d.file?.section === section).map((d) => [d.file!.key ?? d.name, { raw: d.name, flag: d.flag, type: d.parser.fileType, def: d }]));
}

export const FILE_KEYS: Record<Section, Record<string, FileKey>> = Object.fromEntries(SECTIONS.map((s) => [s, keysOf(s)])) as Record<Section, Record<string, FileKey>>;

/** flag → [section, key], to map validateRunOptions' messages back to the file's keys. */
export const KEY_OF_FLAG: Map<string, [Section, string]> = new Map(
  SECTIONS.flatMap((s) => Object.entries(FILE_KEYS[s]).map(([key, def]) => [def.flag, [s, key]] as [string, [Section, string]])),
);
