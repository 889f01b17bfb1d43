import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('public surface', () => {
  it('exports exactly these runtime names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'ConfigError',
      'DEFAULT_REDACT_PATHS',
      'LOG_LEVELS',
      'REDACTED',
      'Readiness',
      'RouteSchemaError',
      'Secret',
      'ServiceError',
      'boolean',
      'build',
      'commonFields',
      'createLogger',
      'defineErrorCodes',
      'describeConfig',
      'duration',
      'errorResponseSchema',
      'installShutdown',
      'integer',
      'loadConfig',
      'oneOf',
      'optional',
      'parseConfig',
      'secret',
      'serverErrors',
      'size',
      'start',
      'string',
      'url',
    ]);
  });
});
