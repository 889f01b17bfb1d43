import { describe, expect, it } from 'vitest';
import { defineErrorCodes, serverErrors } from '../src/codes.js';
import { ServiceError } from '../src/errors.js';

describe('ServiceError and code registries', () => {
  const errors = defineErrorCodes({
    ENTRY_NOT_FOUND: { status: 404, description: 'No such entry.' },
    LOG_OVERLOADED: { status: 503, description: 'Too many pending entries.' },
  });

  it('creates errors with the registered status', () => {
    const err = errors.create('LOG_OVERLOADED', 'busy', { headers: { 'retry-after': '2' }, cause: new Error('queue full') });
    expect(err).toBeInstanceOf(ServiceError);
    expect(err.code).toBe('LOG_OVERLOADED');
    expect(err.status).toBe(503);
    expect(err.headers).toEqual({ 'retry-after': '2' });
    expect(errors.is(err, 'LOG_OVERLOADED')).toBe(true);
    expect(errors.is(err, 'ENTRY_NOT_FOUND')).toBe(false);
    expect(errors.is(new Error('x'), 'ENTRY_NOT_FOUND')).toBe(false);
  });

  it('refuses the library codes, malformed codes and non-error statuses', () => {
    expect(() => defineErrorCodes({ NOT_FOUND: { status: 410, description: '' } })).toThrow(/reserved/);
    expect(() => defineErrorCodes({ 'not-found': { status: 404, description: '' } })).toThrow(/UPPER_SNAKE_CASE/);
    expect(() => defineErrorCodes({ OK: { status: 200, description: '' } })).toThrow(/4xx or 5xx/);
    expect(() => new ServiceError('X', 302, 'redirect')).toThrow(RangeError);
  });

  it('gives every library code a 4xx or 5xx status', () => {
    for (const info of Object.values(serverErrors.table)) expect(info.status).toBeGreaterThanOrEqual(400);
  });
});
