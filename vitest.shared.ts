import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Every project's tests resolve workspace libraries to their TypeScript sources
// (the `@sigstack/source` export condition), so tests never need a prior build.
// Vite's own server conditions follow; never add 'import' here: Node would then pick
// ESM entry points for require() calls inside CommonJS packages such as pg.
const conditions = ['@sigstack/source', ...defaultServerConditions];

export const sharedTestConfig = defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
