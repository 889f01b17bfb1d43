// @peculiar/x509 resolves its providers through tsyringe, which needs the polyfill first.
import 'reflect-metadata';
import { generateKeyPair } from '@sigstack/crypto';
import { parseConfig } from '@sigstack/server';
import type { SqlDatabase } from '@sigstack/tlog-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCtlog } from '../src/app.js';
import { configSchema } from '../src/config.js';
import { backends, scratchDir } from './helpers.js';
import { makeLeaf, makePki } from './pki.js';
import type { TestPki } from './pki.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { PrivateKey } from '@sigstack/crypto';

describe.each(backends)('acknowledgement and recovery on $name', (backend) => {
  let db: SqlDatabase;
  let pki: TestPki;
  let key: PrivateKey;
  beforeAll(async () => {
    db = await backend.open();
    pki = await makePki();
    key = (await generateKeyPair('ecdsa-p256')).privateKey;
  });
  afterAll(() => db.close());

  const config = (env: Record<string, string>) => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'roots.pem'), pki.rootPem);
    return parseConfig(configSchema, { env: { LOG_LEVEL: 'silent', DATA_DIR: dir, CTLOG_ROOTS: join(dir, 'roots.pem'), ...env } });
  };

  it('with CTLOG_ACK=sequenced the SCT comes after the entry is in a committed tree', async () => {
    const opened = await openCtlog(config({ CTLOG_ACK: 'sequenced', CTLOG_LOG_NAME: `ct-${randomUUID()}` }), { db, key });
    const leaf = await makeLeaf(pki.intermediate);
    await opened.log.submit([leaf.der, pki.intermediate.der], 'x509_entry');
    expect((await opened.log.sth()).tree_size).toBe(1);
    await opened.log.close();
  });

  it('a submission answered but not yet sequenced is sequenced by the next process', async () => {
    const name = `ct-${randomUUID()}`;
    // A sequencer that would wait an hour: the entry is durable in intake only.
    const first = await openCtlog(config({ CTLOG_LOG_NAME: name, CTLOG_SEQUENCE_INTERVAL: '1h' }), { db, key });
    const leaf = await makeLeaf(pki.intermediate);
    const sct = await first.log.submit([leaf.der, pki.intermediate.der], 'x509_entry');
    expect((await first.log.sth()).tree_size).toBe(0);
    // "Crash": the first process never sequences; a second one opens the same log.
    const second = await openCtlog(config({ CTLOG_LOG_NAME: name }), { db, key });
    await second.log.sequenced();
    expect((await second.log.sth()).tree_size).toBe(1);
    const [entry] = await second.log.entries(0, 0, 1);
    expect(entry!.extraData.length).toBeGreaterThan(0);
    // The first process's late sequencing is a no-op (dedup by identity).
    await first.log.close();
    expect((await second.log.sth()).tree_size).toBe(1);
    const again = await second.log.submit([leaf.der, pki.intermediate.der], 'x509_entry');
    expect(again.timestamp).toBe(sct.timestamp);
    await second.log.close();
  });
});
