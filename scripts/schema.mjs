// Writes what is generated from the option table: schema/experiment.schema.json and the README's `run`
// flag table (run by `npm run schema`, after the build; unit tests fail when either is stale).
import { readFileSync, writeFileSync } from 'node:fs';
import { experimentSchemaText } from '../dist/experiment/schema.js';
import { RUN_FLAGS } from '../dist/cli/commands/run-flags.js';
import { withRunFlagTable } from '../dist/cli/options.js';

const schema = new URL('../schema/experiment.schema.json', import.meta.url);
writeFileSync(schema, experimentSchemaText());
const readme = new URL('../README.md', import.meta.url);
writeFileSync(readme, withRunFlagTable(readFileSync(readme, 'utf8'), RUN_FLAGS));
console.log(`wrote ${schema.pathname} and the run flag table of ${readme.pathname}`);
