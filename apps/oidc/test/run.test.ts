import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ConfigError } from '@sigstack/server';
import { freePort } from '@sigstack/testing';
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { IdentitiesError } from '../src/identities.js';
import { runOidc } from '../src/run.js';
import { tempDir } from './helpers.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { stream, lines };
}

describe('start-up', () => {
  it('says loudly that it is a development IdP, and keeps its keys and secret across restarts', async () => {
    const dir = tempDir();
    const port = await freePort();
    const env = { PORT: String(port), DATA_DIR: dir, LOG_LEVEL: 'warn' };
    let banner = '';
    const logs = capture();
    const first = await runOidc({ env, signals: false, banner: (t) => (banner += t), logDestination: logs.stream });
    const secret = readFileSync(join(dir, 'workload-secret'), 'utf8').trim();
    const minted = await fetch(`${first.url}/workload/token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ workload: 'github-actions' }),
    });
    const { token, issuer } = (await minted.json()) as { token: string; issuer: string };
    expect(issuer).toBe(`http://127.0.0.1:${port}/workloads/github-actions`);
    const discovery = (await (await fetch(`${first.url}/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(discovery['issuer']).toBe(`http://127.0.0.1:${port}`);
    await first.app.close();

    expect(banner).toContain('DEVELOPMENT identity provider');
    const warning = logs.lines.find((l) => String(l['msg']).startsWith('development identity provider'));
    expect(warning).toMatchObject({ level: 40, users: ['alice', 'bob'], workloadSecretFile: join(dir, 'workload-secret') });
    expect(JSON.stringify(logs.lines)).not.toContain(secret);

    const second = await runOidc({ env, signals: false, banner: () => undefined, logDestination: capture().stream });
    try {
      const jwks = (await (await fetch(`${second.url}/jwks`)).json()) as { keys: { kid: string }[] };
      expect(jwks.keys.map((k) => k.kid)).toContain(decodeProtectedHeader(token).kid);
      expect(readFileSync(join(dir, 'workload-secret'), 'utf8').trim()).toBe(secret);
    } finally {
      await second.app.close();
    }
  });

  it('refuses to start with a bad identities file or bad settings, naming the problems', async () => {
    const dir = tempDir();
    const file = join(dir, 'identities.yaml');
    writeFileSync(file, 'workloads:\n  ci: { kind: jenkins }\n');
    await expect(runOidc({ env: { DATA_DIR: dir, IDENTITIES_FILE: file }, signals: false, banner: () => undefined })).rejects.toBeInstanceOf(IdentitiesError);
    await expect(runOidc({ env: { DATA_DIR: dir, WORKLOAD_SECRET: 'short', ISSUER_URL: 'ftp://x' }, signals: false, banner: () => undefined })).rejects.toSatisfy(
      (err: unknown) => err instanceof ConfigError && err.problems.map((p) => p.key).sort().join() === 'ISSUER_URL,WORKLOAD_SECRET',
    );
    await expect(
      runOidc({ env: { DATA_DIR: dir, PORT: '0', ISSUER_URL: 'http://127.0.0.1:5556/oidc' }, signals: false, banner: () => undefined, logDestination: capture().stream }),
    ).rejects.toThrow(/must be an origin/);
  });
});
