import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { generateKeyPair } from '@sigstack/crypto';
import type { PrivateKey } from '@sigstack/crypto';
import { build, parseConfig } from '@sigstack/server';
import { openPglite, openPostgres } from '@sigstack/tlog-store';
import type { SqlDatabase } from '@sigstack/tlog-store';
import { ctlogRoutes, openCtlog } from '../src/app.js';
import type { OpenedCtlog } from '../src/app.js';
import { configSchema } from '../src/config.js';
import type { CtlogConfig } from '../src/config.js';
import type { TestPki } from './pki.js';

/** PGlite always; PostgreSQL too when DATABASE_URL is set (as CI sets it). */
export interface Backend {
  name: string;
  open(): Promise<SqlDatabase>;
}

export const backends: Backend[] = [{ name: 'pglite', open: () => openPglite() }];
const url = process.env['DATABASE_URL'];
if (url) backends.push({ name: 'postgres', open: () => openPostgres({ url, maxConnections: 4 }) });

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'ctlog-test-'));
}

export interface TestLog {
  app: FastifyInstance;
  opened: OpenedCtlog;
  config: CtlogConfig;
  key: PrivateKey;
}

/** A CT log over `db` under its own name (tests sharing a database never meet), trusting `pki`'s root. */
export async function testLog(db: SqlDatabase, pki: TestPki, env: Record<string, string> = {}, clock?: () => number): Promise<TestLog> {
  const dir = scratchDir();
  const rootsFile = join(dir, 'roots.pem');
  writeFileSync(rootsFile, pki.rootPem);
  const config = parseConfig(configSchema, {
    env: { LOG_LEVEL: 'silent', DATA_DIR: dir, CTLOG_ROOTS: rootsFile, CTLOG_LOG_NAME: `ct-${randomUUID()}`, ...env },
  });
  const { privateKey: key } = await generateKeyPair('ecdsa-p256');
  const opened = await openCtlog(config, { db, key, ...(clock ? { clock } : {}) });
  const app = await build({ name: 'ctlog', config, routes: ctlogRoutes(opened) });
  return { app, opened, config, key };
}

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
export const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

/** Runs /usr/bin/openssl; a missing binary fails the test. */
export function openssl(args: string[], input?: Uint8Array | string): string {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString('utf8');
}

export interface SctJson {
  sct_version: number;
  id: string;
  timestamp: number;
  extensions: string;
  signature: string;
}
