#!/usr/bin/env node
// The published entry point. It answers `--version` and `[command] --help` by itself, from package.json and
// from the help texts generated at build time (dist/cli/help-text.json, scripts/help-text.mjs), so those start
// as fast as bare `node` (issue 13: ≤ 1.3× `node -e 0`; commander and the ~30 modules of the option tables
// alone cost 2×). Anything else — and those too whenever the fast path is not sure — loads the compiled CLI.
// main.js has no side effects on import (tests drive it in-process); `start` runs the command and sets the
// exit code. The package ships dist/ built (`prepack`); a git checkout has it only after `npm run build`, and
// says so in one line rather than with a module-resolution stack.
// CommonJS (bin/package.json), importing nothing up front: an ES module entry starts Node's ESM loader, and
// each import costs time; the fast path needs only node:fs. The CLI itself is ESM, loaded by import().
const fs = process.getBuiltinModule?.('node:fs');
const text = fs ? fastAnswer(process.argv.slice(2)) : undefined;
if (text !== undefined) {
  print(text);
} else {
  // Node ≥ 22.1 keeps V8's compiled code of every module on disk (NODE_COMPILE_CACHE or the OS temp dir),
  // which makes the next start of a command that loads the AWS SDK faster. A quiet optimisation: it never
  // throws and reports failure only in its return value; Node 20 does not have it.
  process.getBuiltinModule?.('node:module')?.enableCompileCache?.();
  import('../dist/cli/main.js').then(
    (main) => main.start(),
    (err) => {
      if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli/main.js')) throw err;
      process.stderr.write('chaos-ec2: dist/ is not built: run `npm run build` in the checkout first\n');
      process.exit(2);
    },
  );
}

/**
 * What commander would print for `-V`/`--version` and for `--help`/`-h`/`help` of the program or of one
 * command; undefined (commander answers) for anything else, and whenever the stored help might not be what
 * commander prints now: a terminal narrower than the 80 columns the help was laid out for, a missing or
 * unreadable file, or a compiled module newer than it (a `tsc` run without the generator).
 */
function fastAnswer(args) {
  const root = `${__dirname}/..`;
  try {
    if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
      return `${JSON.parse(fs.readFileSync(`${root}/package.json`, 'utf8')).version}\n`;
    }
    const command = helpFor(args);
    if (command === undefined || !wideEnough()) return undefined;
    const file = `${root}/dist/cli/help-text.json`;
    const { sources, help } = JSON.parse(fs.readFileSync(file, 'utf8'));
    const text = Object.hasOwn(help, command) ? help[command] : undefined;
    if (typeof text !== 'string') return undefined;
    const written = fs.statSync(file).mtimeMs;
    return sources.some((s) => fs.statSync(`${root}/dist/${s}`).mtimeMs > written) ? undefined : text;
  } catch {
    return undefined;
  }
}
/**
 * Whether commander would lay help out for 80 columns: always into a pipe or a file; in a terminal, when it
 * is at least that wide. Asked in the cheapest order: loading node:tty (and with it process.stdout) costs
 * more than all the rest of the fast path, so only a character device (a terminal, or /dev/null) pays it.
 */
function wideEnough() {
  if (!fs.fstatSync(1).isCharacterDevice() || !process.getBuiltinModule('node:tty').isatty(1)) return true;
  return process.stdout.columns >= 80;
}

/** The command whose help `args` asks for ('' = the program's), or undefined when it asks for something else. */
function helpFor(args) {
  const isHelp = (a) => a === '--help' || a === '-h';
  if (args.length === 1 && (isHelp(args[0]) || args[0] === 'help')) return '';
  if (args.length === 2 && args[0] === 'help' && !args[1].startsWith('-')) return args[1];
  if (args.length === 2 && isHelp(args[1]) && !args[0].startsWith('-') && args[0] !== 'help') return args[0];
  return undefined;
}

/**
 * Writes straight to fd 1: creating process.stdout (a stream over a pipe or a TTY) costs more than the rest
 * of the fast path. If the descriptor is non-blocking and full, the rest goes through the stream; a reader
 * that went away (EPIPE, `| head`) just ends the output, as it would for any command-line tool.
 */
function print(text) {
  const buf = Buffer.from(text);
  let off = 0;
  try {
    while (off < buf.length) off += fs.writeSync(1, buf, off);
  } catch (err) {
    if (err?.code === 'EAGAIN') process.stdout.write(buf.subarray(off));
    else if (err?.code !== 'EPIPE') throw err;
  }
}
