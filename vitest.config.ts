import { defineConfig } from 'vitest/config';

// Tests run real servers (the sandbox on port 0) and real timers; 2-core machines, so keep
// files in a small number of forks and give data-plane tests room for their event-awaits.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The SDK's notice about its future Node floor is not a test result; keep the output readable.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
