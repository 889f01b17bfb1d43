import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { build, parseConfig } from '@sigstack/server';
import { migrate, openPglite, openPostgres, type SqlDatabase } from '@sigstack/tlog-store';
import { openRekor, rekorRoutes, type RekorLogs } from '../src/app.js';
import { configSchema, type RekorConfig } from '../src/config.js';

/** PGlite always; PostgreSQL too when DATABASE_URL is set (as CI sets it). */
export interface Backend {
  name: string;
  open(): Promise<SqlDatabase>;
}

export const backends: Backend[] = [
  {
    name: 'pglite',
    open: async () => {
      const db = await openPglite();
      await migrate(db);
      return db;
    },
  },
];
const url = process.env['DATABASE_URL'];
if (url) {
  backends.push({
    name: 'postgres',
    open: async () => {
      const db = await openPostgres({ url, maxConnections: 4 });
      await migrate(db);
      return db;
    },
  });
}

export interface TestRekor {
  app: FastifyInstance;
  logs: RekorLogs;
  config: RekorConfig;
}

/** A Rekor over `db` with its own tree ID and v2 origin, so tests sharing a database never meet. */
export async function testRekor(db: SqlDatabase, env: Record<string, string> = {}): Promise<TestRekor> {
  const config = parseConfig(configSchema, {
    env: {
      LOG_LEVEL: 'silent',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'rekor-test-')),
      REKOR_HOSTNAME: 'rekor.test',
      REKOR_TREE_ID: String(1n + (randomBytes(8).readBigUInt64BE(0) >> 8n)),
      REKOR_V2_ORIGIN: `rekor-v2.test/${randomUUID()}`,
      // Worker threads run the built JavaScript; in-process tests check entries inline.
      ADMISSION_THREADS: '0',
      ...env,
    },
  });
  const logs = await openRekor(config, { db });
  const app = await build({ name: 'rekor', config, routes: rekorRoutes(logs, false) });
  return { app, logs, config };
}

export interface TestSigner {
  privateKey: KeyObject;
  publicKey: KeyObject;
  pem: string;
}

export function ecdsaSigner(): TestSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicKey, pem: publicKey.export({ type: 'spki', format: 'pem' }) as string };
}

export const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();

/** A hashedrekord 0.0.1 proposed entry over `artifact`, as sigstore-js and cosign send it. */
export function hashedrekord(signer: TestSigner, artifact: Uint8Array = randomBytes(32)) {
  const signature = sign('sha256', artifact, { key: signer.privateKey, dsaEncoding: 'der' });
  return {
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: { hash: { algorithm: 'sha256', value: sha256(artifact).toString('hex') } },
      signature: { content: signature.toString('base64'), publicKey: { content: Buffer.from(signer.pem).toString('base64') } },
    },
  };
}

export function pae(type: string, payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${payload.length} `), payload]);
}

export function envelope(signer: TestSigner, payload: Uint8Array, payloadType = 'application/vnd.in-toto+json') {
  const sig = sign('sha256', pae(payloadType, payload), { key: signer.privateKey, dsaEncoding: 'der' });
  return { payload: Buffer.from(payload).toString('base64'), payloadType, signatures: [{ keyid: '', sig: sig.toString('base64') }] };
}

export function statement(digestHex: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'artifact', digest: { sha256: digestHex } }],
      predicateType: 'https://example.com/predicate/v1',
      predicate: {},
    }),
  );
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
