import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // One more worker than the 2 cores: many files spend their time waiting on child processes,
    // servers and databases, and the suite ran in 4.2 min with 3 workers against 7.5 with 2.
    maxWorkers: 3,
    globalSetup: ['tests/support/global-setup.ts'],
  },
});
