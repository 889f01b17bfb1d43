import { defineConfig } from 'vitest/config';

// Every project's tests resolve workspace libraries to their TypeScript sources
// (the `@sigstack/source` export condition), so tests never need a prior build.
export const sharedTestConfig = defineConfig({
  resolve: { conditions: ['@sigstack/source', 'node', 'import', 'default'] },
  ssr: { resolve: { conditions: ['@sigstack/source', 'node', 'import', 'default'] } },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
