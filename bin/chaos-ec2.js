#!/usr/bin/env node
// The published entry point: it loads the compiled CLI and nothing else, so `--help` stays fast. main.js has
// no side effects on import (tests drive it in-process); `start` runs the command and sets the exit code.
// The package ships dist/ built (`prepack`); a git checkout has it only after `npm run build`, and says so in one
// line rather than with a module-resolution stack.
let main;
try {
  main = await import('../dist/cli/main.js');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli/main.js')) throw err;
  process.stderr.write('chaos-ec2: dist/ is not built: run `npm run build` in the checkout first\n');
  process.exit(2);
}
await main.start();
