import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { describe, expect, it } from 'vitest';
import type { KeyGenerator, KeyPolicy, StoredKey } from '../src/keys.js';
import { KeyStore, generateRsaKey, planKeys, viewAt } from '../src/keys.js';
import { SECRET, json, tempDir, testServer } from './helpers.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const policy: KeyPolicy = { rotationPeriodMs: 30 * DAY, publishLeadMs: 60 * MIN, retentionMs: 65 * MIN };

// Planning needs distinct keys, not real ones: a counter stands in for the key material.
let made = 0;
const fakeKey: KeyGenerator = async (now, activatesAt) => {
  made += 1;
  return { kid: `k${made}`, alg: 'RS256', createdAt: now, activatesAt, jwk: { kty: 'RSA', kid: `k${made}` } };
};
const kids = (keys: readonly StoredKey[]) => keys.map((k) => k.kid);

describe('key rotation plan', () => {
  it('publishes the next key a lead time before it signs, and keeps the old one until its tokens expire', async () => {
    made = 0;
    const t0 = 1_700_000_000_000;
    let keys = await planKeys([], t0, policy, fakeKey);
    expect(kids(keys)).toEqual(['k1']);
    expect(viewAt(keys, t0).signing.kid).toBe('k1');

    // Nothing to do until the lead time before the end of the period.
    keys = await planKeys(keys, t0 + 29 * DAY, policy, fakeKey);
    expect(kids(keys)).toEqual(['k1']);

    const publish = t0 + 30 * DAY - 60 * MIN;
    keys = await planKeys(keys, publish, policy, fakeKey);
    expect(kids(keys)).toEqual(['k2', 'k1']);
    expect(viewAt(keys, publish).signing.kid).toBe('k1');
    expect(kids(viewAt(keys, publish).published)).toEqual(['k1', 'k2']);

    const switchAt = t0 + 30 * DAY;
    keys = await planKeys(keys, switchAt, policy, fakeKey);
    expect(kids(keys)).toEqual(['k2', 'k1']);
    expect(viewAt(keys, switchAt).signing.kid).toBe('k2');

    // The old key stays published for the retention time after it stopped signing.
    keys = await planKeys(keys, switchAt + 64 * MIN, policy, fakeKey);
    expect(kids(keys)).toEqual(['k2', 'k1']);
    keys = await planKeys(keys, switchAt + 65 * MIN, policy, fakeKey);
    expect(kids(keys)).toEqual(['k2']);
  });

  it('after a long downtime, still publishes the successor before it signs', async () => {
    made = 0;
    const t0 = 1_700_000_000_000;
    const first = await planKeys([], t0, policy, fakeKey);
    const late = t0 + 90 * DAY;
    const keys = await planKeys(first, late, policy, fakeKey);
    expect(kids(keys)).toEqual(['k2', 'k1']);
    expect(keys[0]!.activatesAt).toBe(late + policy.publishLeadMs);
    expect(viewAt(keys, late).signing.kid).toBe('k1');
  });

  it('never rotates with a period of 0', async () => {
    made = 0;
    const keys = await planKeys([], 0, { ...policy, rotationPeriodMs: 0 }, fakeKey);
    expect(kids(await planKeys(keys, 10_000 * DAY, { ...policy, rotationPeriodMs: 0 }, fakeKey))).toEqual(['k1']);
  });
});

describe('key store', () => {
  it('keeps the keys across restarts, in a file only its owner can read', async () => {
    const dir = tempDir();
    const first = await KeyStore.open({ dir, policy });
    const second = await KeyStore.open({ dir, policy });
    expect(second.view.signing.kid).toBe(first.view.signing.kid);
    expect(second.cookieKeys).toEqual(first.cookieKeys);
    const { statSync } = await import('node:fs');
    expect(statSync(join(dir, 'keys.json')).mode & 0o077).toBe(0);
  });

  it('refuses a damaged key file instead of replacing it', async () => {
    const dir = tempDir();
    await KeyStore.open({ dir, policy });
    const path = join(dir, 'keys.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"RS256"', '"none"'));
    await expect(KeyStore.open({ dir, policy })).rejects.toThrow(/not a key file/);
    writeFileSync(path, '{');
    await expect(KeyStore.open({ dir, policy })).rejects.toThrow(/not valid JSON/);
  });

  it('makes real RS256 keys whose kid is the JWK thumbprint', async () => {
    const key = await generateRsaKey(0, 0);
    expect(key.jwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: key.kid });
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('rotation in a running server', () => {
  it('serves the new key before signing with it, then signs with it, and old tokens still verify', async () => {
    let now = Date.now();
    const rotating: KeyPolicy = { rotationPeriodMs: 30 * DAY, publishLeadMs: 60 * MIN, retentionMs: 65 * MIN };
    const server = await testServer({ now: () => now, policy: rotating });
    const mint = async () =>
      json<{ token: string }>(
        await server.app.inject({ method: 'POST', url: '/workload/token', headers: { authorization: `Bearer ${SECRET}` }, payload: { workload: 'spiffe', ttl: 3600 } }),
      ).token;
    const jwksNow = async () => json<JSONWebKeySet>(await server.app.inject({ url: '/jwks' }));
    const discoveryKid = async () => {
      // ID tokens from the provider itself: the kid its keystore signs with.
      const { keys } = await jwksNow();
      return keys.map((k) => k.kid);
    };
    try {
      const firstKid = server.keys.view.signing.kid;
      const oldToken = await mint();
      expect(await server.oidc.checkKeys()).toBe(false);

      now += 30 * DAY - 30 * MIN;
      expect(await server.oidc.checkKeys()).toBe(true);
      const published = await discoveryKid();
      expect(published).toHaveLength(2);
      expect(published[0]).toBe(firstKid);
      expect(decodeProtectedHeader(await mint()).kid).toBe(firstKid);

      now += 61 * MIN;
      expect(await server.oidc.checkKeys()).toBe(true);
      const secondKid = server.keys.view.signing.kid;
      expect(secondKid).not.toBe(firstKid);
      const newToken = await mint();
      expect(decodeProtectedHeader(newToken).kid).toBe(secondKid);
      expect(await discoveryKid()).toEqual([secondKid, firstKid]);
      const jwks = createLocalJWKSet(await jwksNow());
      await jwtVerify(newToken, jwks, { currentDate: new Date(now) });
      await jwtVerify(oldToken, jwks, { currentDate: new Date(now - 30 * DAY) });

      now += 66 * MIN;
      await server.oidc.checkKeys();
      expect(await discoveryKid()).toEqual([secondKid]);
    } finally {
      await server.close();
    }
  });
});
