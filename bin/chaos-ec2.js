#!/usr/bin/env node
// The published entry point: it loads the compiled CLI and nothing else, so `--help` stays fast. main.js has
// no side effects on import (tests drive it in-process); `start` runs the command and sets the exit code.
import { start } from '../dist/cli/main.js';

await start();
