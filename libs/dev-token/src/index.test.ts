import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@sigstack/dev-token public surface', () => {
  it('exports exactly these runtime names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'DevTokenError',
      'devToken',
      'jwtClaims',
      'listWorkloads',
      'readStackFile',
      'userToken',
      'workloadToken',
    ]);
  });
});
