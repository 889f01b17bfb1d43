import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { commonFields } from '../src/common.js';
import { ConfigError, describeConfig, loadConfig, parseConfig } from '../src/config.js';
import { boolean, duration, integer, oneOf, optional, secret, size, string, url } from '../src/fields.js';
import { Secret } from '../src/secret.js';

const schema = {
  ...commonFields({ port: 3000 }),
  ISSUER_URL: url({ default: 'http://127.0.0.1:5556' }),
  BATCH_SIZE: integer({ min: 1, max: 4096, default: 256 }),
  READ_ONLY: boolean({ default: false }),
  STORAGE: oneOf(['pglite', 'postgres'], { default: 'pglite' }),
  DATABASE_URL: optional(secret()),
  SIGNER_PASSWORD: optional(secret({ minLength: 12 })),
  ORIGIN: optional(string()),
};

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('CONFIG_INVALID');
    return (err as ConfigError).problems.map((p) => p.message);
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('gives typed defaults', () => {
    const config = parseConfig(schema, { env: {} });
    expect(config).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 3000,
      LOG_LEVEL: 'info',
      BODY_LIMIT: 1024 * 1024,
      SHUTDOWN_TIMEOUT: 10_000,
      BATCH_SIZE: 256,
      READ_ONLY: false,
      STORAGE: 'pglite',
      DATABASE_URL: undefined,
    });
  });

  it('applies defaults < file < environment', () => {
    const fileText = 'PORT: 4000\nBATCH_SIZE: 10\nREAD_ONLY: true\n';
    const config = parseConfig(schema, { env: { PORT: '5000', UNRELATED: 'x', HOST: '' }, fileText });
    expect(config.PORT).toBe(5000);
    expect(config.BATCH_SIZE).toBe(10);
    expect(config.READ_ONLY).toBe(true);
    expect(config.HOST).toBe('127.0.0.1');
  });

  it('reads JSON files too', () => {
    expect(parseConfig(schema, { fileText: '{"PORT": 1234, "SHUTDOWN_TIMEOUT": "1m30s"}' })).toMatchObject({ PORT: 1234, SHUTDOWN_TIMEOUT: 90_000 });
  });

  it('parses each kind', () => {
    const config = parseConfig(schema, {
      env: { BODY_LIMIT: '512KiB', SHUTDOWN_TIMEOUT: '250ms', READ_ONLY: '1', STORAGE: 'postgres', DATABASE_URL: 'postgres://u:p@db/x', LOG_LEVEL: 'debug' },
    });
    expect(config.BODY_LIMIT).toBe(512 * 1024);
    expect(config.SHUTDOWN_TIMEOUT).toBe(250);
    expect(config.READ_ONLY).toBe(true);
    expect(config.STORAGE).toBe('postgres');
    expect(config.DATABASE_URL).toBeInstanceOf(Secret);
    expect(config.DATABASE_URL?.reveal()).toBe('postgres://u:p@db/x');
  });

  it('reports every bad field at once, one line each', () => {
    const found = problems(() =>
      parseConfig(schema, {
        env: { PORT: 'abc', BATCH_SIZE: '0', READ_ONLY: 'maybe', STORAGE: 'sqlite', ISSUER_URL: 'ftp://x', SHUTDOWN_TIMEOUT: '5 minutes', BODY_LIMIT: '1TB', LOG_LEVEL: 'loud' },
      }),
    );
    expect(found).toEqual([
      'PORT: must be an integer between 0 and 65535 (got "abc")',
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
      'BODY_LIMIT: must be a size of at least 1 bytes, such as 65536, 512KiB or 1MiB (got "1TB")',
      'SHUTDOWN_TIMEOUT: must be a duration such as 500ms, 30s, 5m or 1h (or an integer of milliseconds) (got "5 minutes")',
      'ISSUER_URL: must be an absolute http or https URL (got "ftp://x")',
      'BATCH_SIZE: must be an integer between 1 and 4096 (got "0")',
      'READ_ONLY: must be true or false (got "maybe")',
      'STORAGE: must be one of pglite, postgres (got "sqlite")',
    ]);
  });

  it('lists all problems in the error message', () => {
    try {
      parseConfig(schema, { env: { PORT: '-1', BATCH_SIZE: 'x' } });
    } catch (err) {
      expect((err as Error).message).toBe(
        'invalid configuration (2 problems):\n  PORT: must be an integer between 0 and 65535 (got "-1")\n  BATCH_SIZE: must be an integer between 1 and 4096 (got "x")',
      );
    }
  });

  it('never prints a secret value', () => {
    const err = (() => {
      try {
        parseConfig(schema, { env: { SIGNER_PASSWORD: 'short-pw' } });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected an error');
    })();
    expect(err.problems[0]?.message).toBe('SIGNER_PASSWORD: must be a string of at least 12 characters (got [redacted])');
    expect(err.message).not.toContain('short-pw');
  });

  it('fails closed on unknown keys in the file but ignores unrelated env', () => {
    expect(problems(() => parseConfig(schema, { env: { SOMETHING_ELSE: '1' }, fileText: 'PROT: 3000\n' }))).toEqual([
      'PROT: unknown setting in the config file',
    ]);
  });

  it('reports required settings', () => {
    const required = { TOKEN_AUDIENCE: string({ description: 'audience expected in OIDC tokens' }) };
    expect(problems(() => parseConfig(required, { env: {} }))).toEqual(['TOKEN_AUDIENCE: is required (audience expected in OIDC tokens)']);
  });

  it('reports broken files by position only, never quoting them', () => {
    const found = problems(() => parseConfig(schema, { fileText: 'DATABASE_URL: "postgres://u:hunter2@db\nPORT: [', fileName: 'app.yaml' }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^CONFIG_FILE: app.yaml is not valid JSON or YAML/);
    expect(found.join()).not.toContain('hunter2');
    expect(problems(() => parseConfig(schema, { fileText: '- 1\n- 2\n' }))[0]).toContain('must hold a mapping');
    expect(problems(() => parseConfig(schema, { fileText: 'PORT: 1\nPORT: 2\n' }))[0]).toMatch(/^CONFIG_FILE:/);
  });

  it('rejects file values of the wrong type', () => {
    expect(problems(() => parseConfig(schema, { fileText: 'PORT: 1.5\nHOST: [a]\nREAD_ONLY: "yes"\n' }))).toEqual([
      'HOST: must be a non-empty string (got ["a"])',
      'PORT: must be an integer between 0 and 65535 (got 1.5)',
      'READ_ONLY: must be true or false (got "yes")',
    ]);
  });

  it('refuses an invalid default when the schema is declared', () => {
    expect(() => integer({ min: 1, default: 0 })).toThrow(TypeError);
    expect(() => duration({ default: 'soon' })).toThrow(TypeError);
    expect(() => size({ default: '1XB' })).toThrow(TypeError);
  });
});

describe('secrets and dumps', () => {
  it('redacts secrets in describeConfig, JSON, strings and inspect', () => {
    const config = parseConfig(schema, { env: { DATABASE_URL: 'postgres://u:hunter2@db/x' } });
    expect(describeConfig(schema, config).DATABASE_URL).toBe('[redacted]');
    expect(describeConfig(schema, config).PORT).toBe(3000);
    expect(JSON.stringify(config)).not.toContain('hunter2');
    expect(`${config.DATABASE_URL}`).toBe('[redacted]');
    expect(inspect(config)).not.toContain('hunter2');
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'server-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the file named by CONFIG_FILE', () => {
    const file = join(dir, 'rekor.yaml');
    writeFileSync(file, 'PORT: 3100\nSTORAGE: postgres\n');
    expect(loadConfig(schema, { env: { CONFIG_FILE: file } })).toMatchObject({ PORT: 3100, STORAGE: 'postgres' });
  });

  it('prefers an explicit file over CONFIG_FILE', () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    writeFileSync(a, '{"PORT": 1}');
    writeFileSync(b, '{"PORT": 2}');
    expect(loadConfig(schema, { env: { CONFIG_FILE: a }, file: b }).PORT).toBe(2);
  });

  it('reports a missing file as a ConfigError', () => {
    expect(problems(() => loadConfig(schema, { env: {}, file: join(dir, 'missing.yaml') }))[0]).toMatch(/^CONFIG_FILE: cannot read .*\(ENOENT\)$/);
  });

  it('uses process.env by default', () => {
    expect(loadConfig({ HOME_DIR: optional(string()) }).HOME_DIR).toBeUndefined();
  });
});
