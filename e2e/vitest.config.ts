import { mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../vitest.shared.js';

// Each test file boots a whole stack (five services and a TUF repository): one file at a
// time on a 2-core machine, with time for the boots.
export default mergeConfig(sharedTestConfig, {
  test: {
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
