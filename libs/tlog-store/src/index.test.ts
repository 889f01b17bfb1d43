import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@sigstack/tlog-store public surface', () => {
  it('exports exactly these runtime names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'BatchQueue',
      'LogStoreError',
      'TransparencyLog',
      'loadLogKey',
      'migrate',
      'openDatabase',
      'openPglite',
      'openPostgres',
    ]);
  });
});
