import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'core/src/**/*.test.ts',
      'viewer/src/**/*.test.ts',
      'action/src/**/*.test.ts',
      'app/src/**/*.test.ts',
      'tests/**/*.test.ts',
    ],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Docker-backed tests share one engine; two workers match the machine's two cores.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
