import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{apps,packages}/*/src/**/*.test.ts', '{apps,packages}/*/test/**/*.test.ts'],
    // Integration tests share one Postgres and one Redis; each file uses its own database and
    // queue prefix, but the 2-core machine is faster with few files at a time.
    fileParallelism: true,
    maxWorkers: 2,
    // End-to-end tests wait for real training on a shared 2-core machine; each wait is bounded by
    // its own waitFor deadline, this is only the backstop.
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
