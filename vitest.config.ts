import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'properties/**/*.test.ts'],
    globalSetup: ['test/setup/globalSeed.ts'],
    setupFiles: ['test/setup/seed.ts'],
    testTimeout: 120_000,
    reporters: ['default'],
  },
});
