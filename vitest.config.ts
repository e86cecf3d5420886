import { defineConfig } from 'vitest/config';

// Tests run real servers (the sandbox on port 0) and real timers; 2-core machines, so keep files in a
// small number of forks and give data-plane tests room for their event-awaits. Three forks, not two: most
// test time is waiting on the sandbox's timers (a full run keeps ~1 core busy with two), and a third fork
// cuts the suite from ~6.5 to ~5 minutes, which keeps CI's three Node versions under its 20-minute budget.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The SDK's notice about its future Node floor is not a test result; keep the output readable.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
