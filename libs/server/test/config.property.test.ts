import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { commonFields } from '../src/common.js';
import { ConfigError, parseConfig } from '../src/config.js';
import { boolean, duration, integer, oneOf, optional, secret, size, url } from '../src/fields.js';

const schema = {
  ...commonFields({ port: 3000 }),
  ISSUER_URL: optional(url()),
  BATCH_SIZE: integer({ min: 1, max: 100, default: 10 }),
  READ_ONLY: boolean({ default: false }),
  STORAGE: oneOf(['pglite', 'postgres'], { default: 'pglite' }),
  DELAY: optional(duration()),
  CHUNK: optional(size()),
  API_KEY: optional(secret({ minLength: 8 })),
};
const keys = Object.keys(schema);

// Values near the edges of what each kind accepts, plus arbitrary junk.
const rawValue = fc.oneof(
  fc.string(),
  fc.constantFrom('0', '-1', '65536', '1.5', 'true', 'no', '1MiB', '10s', '1m30s', 'http://x', 'postgres', '', ' '),
  fc.integer().map(String),
);
const fileValue = fc.oneof(rawValue, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }));
const env = fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string()), rawValue, { maxKeys: 8 });
const fileText = fc.oneof(
  fc.string(),
  fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string()), fileValue, { maxKeys: 6 }).map((o) => stringify(o)),
  fc.dictionary(fc.constantFrom(...keys), fileValue, { maxKeys: 6 }).map((o) => JSON.stringify(o)),
);

function outcome(fn: () => unknown): 'config' | 'error' {
  try {
    fn();
    return 'config';
  } catch (err) {
    if (err instanceof ConfigError && err.problems.length > 0) return 'error';
    throw err;
  }
}

describe('config parser under random input', () => {
  it('returns a config or throws ConfigError, nothing else', () => {
    fc.assert(
      fc.property(env, fc.option(fileText, { nil: undefined }), (e, f) => {
        expect(['config', 'error']).toContain(outcome(() => parseConfig(schema, f === undefined ? { env: e } : { env: e, fileText: f })));
      }),
      { numRuns: 500 },
    );
  });

  it('never echoes a secret value', () => {
    fc.assert(
      // Too short to be accepted, and marked so any echo of it is found.
      fc.property(fc.string({ maxLength: 4 }), (tail) => {
        const key = `zq~${tail}`;
        expect(() => parseConfig(schema, { env: { API_KEY: key } })).toThrow(ConfigError);
        try {
          parseConfig(schema, { env: { API_KEY: key } });
        } catch (err) {
          expect((err as Error).message).not.toContain('zq~');
        }
      }),
    );
  });

  it('accepts every in-range port from env and file', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), (port) => {
        expect(parseConfig(schema, { env: { PORT: String(port) } }).PORT).toBe(port);
        expect(parseConfig(schema, { fileText: `PORT: ${port}` }).PORT).toBe(port);
      }),
    );
  });
});
