// Writes what is generated from the option table: schema/experiment.schema.json (in the repository's Prettier
// style, so `format:check` passes) and the README's `run` flag table. Run by `npm run schema`, after the
// build; unit tests fail when either is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { experimentSchemaText } from '../dist/experiment/schema.js';
import { RUN_FLAGS } from '../dist/cli/commands/run-flags.js';
import { withRunFlagTable } from '../dist/cli/options.js';

const schema = fileURLToPath(new URL('../schema/experiment.schema.json', import.meta.url));
const style = (await prettier.resolveConfig(schema)) ?? {};
writeFileSync(schema, await prettier.format(experimentSchemaText(), { ...style, filepath: schema }));
const readme = fileURLToPath(new URL('../README.md', import.meta.url));
writeFileSync(readme, withRunFlagTable(readFileSync(readme, 'utf8'), RUN_FLAGS));
console.log(`wrote ${schema} and the run flag table of ${readme}`);
