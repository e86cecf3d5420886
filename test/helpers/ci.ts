/**
 * Tests that need an outside tool (the AWS CLI v2, Chromium) skip on a developer's machine without it, but
 * never in CI: there a missing tool must fail the run, or a broken install would leave CI green with the
 * test silently skipped.
 */
import { existsSync } from 'node:fs';

/** CI=true (GitHub Actions, most CI systems, and .ci/run) — anything but unset, '', 'false' or '0'. */
export const inCi = !['', 'false', '0'].includes((process.env.CI ?? '').trim().toLowerCase());

export interface ToolGate {
  /** Run the tests: the tool is there, or we are in CI (where its absence must fail them). */
  run: boolean;
  /** Why the tests cannot work (the tool is absent), for a failing hook to throw; undefined when present. */
  missing?: string;
}

export function requireTool(path: string, what: string, file: string): ToolGate {
  if (existsSync(path)) return { run: true };
  const missing = `${what} not found at ${path}: CI installs it (.ci/run)`;
  if (!inCi) console.warn(`${file} skipped: ${missing}`);
  return { run: inCi, missing };
}
