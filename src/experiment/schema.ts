/**
 * schema/experiment.schema.json, generated from the option table (`npm run schema` writes it; a unit test
 * fails when the committed file differs). Editors use it to complete and check experiment files; the loader
 * (file.ts) and validateRunOptions remain the judges, with the same table.
 */
import { shownDefault, type JsonSchema, type OptionDef } from '../core/options.js';
import { optionHelp } from '../faults/catalog.js';
import { FILE_KEYS, SECTIONS } from './file-keys.js';

// String values may be `${ENV_VAR}` references, resolved when the file is loaded: a pattern must let them by.
function allowEnvRefs(schema: JsonSchema): JsonSchema {
  if (typeof schema.pattern === 'string') return { ...schema, pattern: `(?:${schema.pattern})|\\$\\{` };
  if (Array.isArray(schema.oneOf)) return { ...schema, oneOf: schema.oneOf.map((s: JsonSchema) => allowEnvRefs(s)) };
  return schema;
}

function describe(def: OptionDef): string {
  const help = optionHelp(def);
  const dflt = shownDefault(def);
  return `${help} (flag ${def.flag}${def.required ? '; required, here or in defaults' : ''}${dflt ? `; default ${dflt}` : ''})`;
}

export function experimentSchema(): JsonSchema {
  const ref = Object.fromEntries(SECTIONS.map((s) => [s, { $ref: `#/$defs/${s}` }]));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'chaos-ec2 experiment file',
    description:
      'Experiments run in order by `chaos-ec2 run -f FILE`; checked by `chaos-ec2 validate -f FILE`. String values may use ${ENV_VAR} or ${ENV_VAR:-default}. Generated from the option table by `npm run schema`: do not edit.',
    type: 'object',
    additionalProperties: false,
    required: ['experiments'],
    properties: {
      version: { const: 1, description: 'file format version' },
      defaults: { type: 'object', additionalProperties: false, description: "merged under every experiment; the experiment's own keys win", properties: ref },
      experiments: {
        type: 'array',
        minItems: 1,
        items: { type: 'object', additionalProperties: false, properties: { name: { type: 'string', description: 'shown in output and reports' }, ...ref } },
      },
    },
    $defs: Object.fromEntries(
      SECTIONS.map((s) => [
        s,
        {
          type: 'object',
          additionalProperties: false,
          properties: Object.fromEntries(Object.entries(FILE_KEYS[s]).map(([key, k]) => [key, { ...allowEnvRefs(k.def.parser.schema), description: describe(k.def) }])),
        },
      ]),
    ),
  };
}

/** The file's text: what `npm run schema` writes and the unit test compares. */
export const experimentSchemaText = (): string => `${JSON.stringify(experimentSchema(), null, 2)}\n`;
