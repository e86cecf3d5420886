#!/usr/bin/env node
// The published entry point: it loads the compiled CLI and nothing else, so `--help` stays fast.
import '../dist/cli/main.js';
