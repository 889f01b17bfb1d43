// @peculiar/x509 resolves its providers through tsyringe, which needs the polyfill first.
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPrivateKey, keyId } from '@sigstack/crypto';
import { parseConfig, start } from '@sigstack/server';
import { decodeDigitallySigned, verifySct } from '@sigstack/x509';
import { describe, expect, it } from 'vitest';
import { ctlogRoutes, openCtlog } from '../src/app.js';
import { configSchema } from '../src/config.js';
import { scratchDir, unb64 } from './helpers.js';
import type { SctJson } from './helpers.js';
import { makeLeaf, makePki } from './pki.js';

describe('over a real socket, with the embedded database and a generated key', () => {
  it('serves add-chain under CTLOG_PREFIX, and a restart keeps the key and the tree', async () => {
    const pki = await makePki();
    const dir = scratchDir();
    writeFileSync(join(dir, 'roots.pem'), pki.rootPem);
    const config = parseConfig(configSchema, {
      env: { LOG_LEVEL: 'silent', PORT: '0', DATA_DIR: dir, CTLOG_ROOTS: join(dir, 'roots.pem'), CTLOG_PREFIX: '2026', CTLOG_ACK: 'sequenced' },
    });
    const run = async () => {
      const opened = await openCtlog(config);
      return start({ name: 'ctlog', config, routes: ctlogRoutes(opened), signals: false });
    };

    const first = await run();
    const leaf = await makeLeaf(pki.intermediate);
    const res = await fetch(`${first.url}/2026/ct/v1/add-chain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chain: [leaf.der, pki.intermediate.der].map((d) => Buffer.from(d).toString('base64')) }),
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as SctJson;
    const key = importPrivateKey(readFileSync(join(dir, 'ctlog-key.pem'), 'utf8'));
    expect(unb64(json.id)).toEqual(keyId(key.publicKey));
    const sct = { version: 0 as const, logId: unb64(json.id), timestamp: json.timestamp, extensions: unb64(json.extensions), signature: decodeDigitallySigned(unb64(json.signature)) };
    expect(verifySct(sct, { type: 'x509_entry', certificate: leaf.der }, key.publicKey)).toBe(true);
    expect((await fetch(`${first.url}/ct/v1/get-sth`)).status).toBe(404);
    await first.app.close();

    const second = await run();
    const sth = (await (await fetch(`${second.url}/2026/ct/v1/get-sth`)).json()) as { tree_size: number };
    expect(sth.tree_size).toBe(1);
    const again = (await (await fetch(`${second.url}/2026/ct/v1/add-chain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chain: [leaf.der, pki.intermediate.der].map((d) => Buffer.from(d).toString('base64')) }),
    })).json()) as SctJson;
    expect(again.id).toBe(json.id);
    expect(again.timestamp).toBe(json.timestamp);
    await second.app.close();
  }, 120_000); // two cold starts of an on-disk PGlite
});
