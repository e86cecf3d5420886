import { defineConfig } from 'vitest/config';

// Tests run real servers (the sandbox on port 0) and real timers; 2-core machines, so keep
// files in a small number of forks and give data-plane tests room for their event-awaits. Two forks, not
// three: with three, the fast profile's 300 ms health checks time out often enough on a loaded 2-core
// machine that a target is replaced mid-test (2 failures in 5 full runs, in tests that assume a steady group).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // A worker that dies says only "Worker exited unexpectedly"; this one names the file and test it was running.
    reporters: ['default', './test/reporters/unfinished.ts'],
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The SDK's notice about its future Node floor is not a test result; keep the output readable.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
