import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    // Integration tests start real processes and wait on real readiness; deadlines live in the tests.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
