// Writes dist/cli/help-text.json: every `--help` text of the CLI exactly as commander prints it, so that
// bin/chaos-ec2.js can answer `chaos-ec2 [command] --help` without loading commander and the option tables
// (cold start: issue 13). Run by `npm run build`, after tsc.
//
// The texts are captured from the real CLI, not rebuilt: a child process (stdout a pipe, so commander lays
// help out for 80 columns, as cli/main.ts does in any terminal at least that wide) runs `main()` once per
// command and records what commander writes. The file also lists the compiled modules those texts come from
// (the static imports of dist/cli/main.js); the bin uses the file only while none of them is newer than it,
// so a `tsc` run without this script falls back to commander instead of printing stale help.
// test/e2e/help-fast-path.test.ts proves the stored texts identical to commander's output.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
export const HELP_FILE = join(DIST, 'cli', 'help-text.json');

/** In the child: commander's output for `--help` of the program and of each command, keyed by command ('' = root). */
async function captureHelp() {
  const { buildProgram, main } = await import('../dist/cli/main.js');
  const names = buildProgram(() => {}).commands.map((c) => c.name());
  const help = {};
  const write = process.stdout.write.bind(process.stdout);
  for (const name of ['', ...names]) {
    let text = '';
    process.stdout.write = (chunk) => ((text += String(chunk)), true);
    const code = await main(['node', 'chaos-ec2', ...(name ? [name] : []), '--help'], { stderr: (s) => process.stderr.write(s) });
    process.stdout.write = write;
    if (code !== 0 || !text) throw new Error(`chaos-ec2 ${name} --help: exit ${code}, ${text.length} characters`);
    help[name] = text;
  }
  return help;
}

/** The compiled modules loaded before `--help` prints: the static import graph of dist/cli/main.js. */
function staticImports(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    // tsc emits one `import … from './x.js';` (or `export … from`) per statement; `import()` is lazy, not followed.
    const imports = /^(?:import|export)\s+(?:[\w$*{},\s]*?from\s*)?'(\.{1,2}\/[^']+)'/gm;
    for (const m of readFileSync(file, 'utf8').matchAll(imports)) visit(join(dirname(file), m[1]));
  };
  visit(entry);
  return [...seen].map((f) => relative(DIST, f)).sort();
}

if (process.argv[2] === '--capture') {
  process.stdout.write(JSON.stringify(await captureHelp()));
} else {
  // Gone first: were it present, the child's CLI would still be commander (main() is called directly), but a
  // failed run must not leave a file from the previous build behind.
  rmSync(HELP_FILE, { force: true });
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--capture'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new Error(`help capture failed (exit ${child.status})`);
  const help = JSON.parse(child.stdout);
  writeFileSync(HELP_FILE, JSON.stringify({ sources: staticImports(join(DIST, 'cli', 'main.js')), help }));
  console.log(`wrote ${relative(process.cwd(), HELP_FILE)}: help of ${Object.keys(help).length - 1} commands`);
}
