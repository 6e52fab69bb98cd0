import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: [
      'src/**/*.test.{ts,tsx}',
      'scripts/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'examples/*/src/**/*.test.{ts,tsx}',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // PGlite takes ~3 s and a few hundred MB per test file; two cores, two workers.
    maxWorkers: 2,
  },
})
