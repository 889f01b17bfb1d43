// `nx run rekor:bench [-- --json] [-- --quick]`: write throughput and latency at 1, 16 and 64
// clients, inclusion-proof reads on a log of >= 1,000,000 entries, and the plain batched
// INSERT ceiling of the same database in the same run, for PostgreSQL and PGlite; then a
// profile of where the time per entry goes.
import { generateKeyPairSync, randomBytes, sign as nodeSign, createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import canonicalize from 'canonicalize';
import { buildHashedRekordV001, parseRekorV1Request } from '@sigstack/bundle';
import { nativeEcdsa, sign } from '@sigstack/crypto';
import { hashLeaf } from '@sigstack/merkle';
import { migrate, openPglite, openPostgres, type SqlDatabase } from '@sigstack/tlog-store';
import { loadLogKey } from '../keys.js';
import { openV1Log } from '../logs.js';
import { admitV1 } from '../v1/admit.js';
import { verifierFromPem, verifyOverDigest } from '../verifiers.js';
import { spawnServer } from './server.js';

const args = new Set(process.argv.slice(2));
const JSON_OUT = args.has('--json');
const QUICK = args.has('--quick');
const BIG = QUICK ? 20_000 : 1_000_000;
const WRITE_SECONDS = QUICK ? 3 : 8;
const READ_SECONDS = QUICK ? 3 : 8;
const BATCH = 256;
const PG_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const WORK = join(tmpdir(), 'rekor-bench');
const TREE_ID = QUICK ? '4242420001' : '4242420000';
const HOSTNAME = 'bench.rekor';
/** Which route checks ECDSA over a digest: libs/crypto's native module, or its pure-Node fallback. */
const signatureRoute = nativeEcdsa ? 'native' : 'ecdh-fallback';

const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** Proposed hashedrekord entries from a few keys (as real traffic reuses keys), distinct artifacts. */
function makeEntries(count: number): string[] {
  const keys = Array.from({ length: 32 }, () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return { privateKey, pem: Buffer.from(publicKey.export({ type: 'spki', format: 'pem' }) as string).toString('base64') };
  });
  return Array.from({ length: count }, (_, i) => {
    const k = keys[i % keys.length] as (typeof keys)[number];
    const artifact = randomBytes(32);
    return JSON.stringify({
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: {
        data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(artifact).digest('hex') } },
        signature: { content: nodeSign('sha256', artifact, { key: k.privateKey, dsaEncoding: 'der' }).toString('base64'), publicKey: { content: k.pem } },
      },
    });
  });
}

interface Store {
  name: 'postgres' | 'pglite';
  env: Record<string, string>;
  open(): Promise<SqlDatabase>;
}

async function stores(): Promise<Store[]> {
  const out: Store[] = [];
  try {
    const db = await openPostgres({ url: PG_URL, maxConnections: 2 });
    await db.close();
    out.push({ name: 'postgres', env: { DATABASE_URL: PG_URL }, open: () => openPostgres({ url: PG_URL, maxConnections: 4 }) });
  } catch {
    say(`PostgreSQL at ${PG_URL.replace(/\/\/[^@]*@/, '//')} is not reachable: skipping it`);
  }
  const dir = join(WORK, QUICK ? 'pglite-quick' : 'pglite');
  out.push({ name: 'pglite', env: {}, open: () => openPglite({ dataDir: join(dir, 'pglite') }) });
  return out;
}

/** Makes sure the bench log holds at least BIG entries (once; later runs reuse it). */
async function fill(store: Store, dataDir: string): Promise<void> {
  const db = await store.open();
  try {
    await migrate(db);
    const key = await loadLogKey({ file: join(dataDir, 'rekor-v1-key.pem'), type: 'ecdsa-p256', generate: true });
    const log = await openV1Log({ db, key, hostname: HOSTNAME, treeId: TREE_ID, batch: { maxBatchSize: 4096, maxPending: 1 << 20 } });
    let size = (await log.store.treeHead()).size;
    const started = performance.now();
    while (size < BIG) {
      const n = Math.min(32_768, BIG - size);
      // Synthetic bodies of the size of a real hashedrekord entry: the proof reads do not look inside.
      await Promise.all(
        Array.from({ length: n }, () =>
          log.store.append({ data: buildHashedRekordV001({ algorithm: 'sha256', digest: randomBytes(32), signature: randomBytes(71), publicKey: FAKE_PEM }) }),
        ),
      );
      size += n;
      say(`  ${store.name}: filled ${size} / ${BIG} (${Math.round(size / ((performance.now() - started) / 1000))} entries/s)`);
    }
    await log.store.close();
  } finally {
    await db.close();
  }
}
const FAKE_PEM = `-----BEGIN PUBLIC KEY-----\n${randomBytes(64).toString('base64')}\n${randomBytes(27).toString('base64')}\n-----END PUBLIC KEY-----\n`;

interface Load {
  clients: number;
  entriesPerSec: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  /** When the load ran (ms since the epoch), to find its batches afterwards. */
  window: [number, number];
}

/** What the sequencer did during one load: from the checkpoints it stored (one per batch). */
interface Batches {
  clients: number;
  batches: number;
  entriesPerBatch: number;
  /** Milliseconds from one batch to the next (commit to commit). */
  cycleMs: number;
}

async function writeLoad(url: string, clients: number, bodies: string[], next: { i: number }): Promise<Load> {
  const started = Date.now();
  const result = await autocannon({
    url,
    connections: clients,
    duration: WRITE_SECONDS,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/log/entries',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: bodies[next.i++ % bodies.length] }),
      },
    ],
  });
  const created = result['2xx'];
  return {
    clients,
    entriesPerSec: Math.round(created / (result.duration || WRITE_SECONDS)),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
    window: [started, Date.now()],
  };
}

/** Batches of each load, counted from the checkpoints the log stored in its time window. */
async function batchesOf(store: Store, loads: readonly Load[]): Promise<Batches[]> {
  const db = await store.open();
  try {
    const out: Batches[] = [];
    for (const load of loads) {
      const rows = await db.query<{ n: unknown; first: unknown; last: unknown; sizes: unknown }>(
        `SELECT count(*) AS n, min(created_at) AS first, max(created_at) AS last, max(tree_size) - min(tree_size) AS sizes
           FROM tlog_checkpoints WHERE log_id = $1 AND created_at >= $2 AND created_at <= $3`,
        [`rekor-v1/${TREE_ID}`, load.window[0], load.window[1]],
      );
      const row = rows[0];
      const n = Number(row?.n ?? 0);
      out.push({
        clients: load.clients,
        batches: n,
        entriesPerBatch: n > 1 ? Math.round((Number(row?.sizes) / (n - 1)) * 10) / 10 : 0,
        cycleMs: n > 1 ? Math.round(((Number(row?.last) - Number(row?.first)) / (n - 1)) * 100) / 100 : 0,
      });
    }
    return out;
  } finally {
    await db.close();
  }
}

async function readLoad(url: string, size: number): Promise<number> {
  const result = await autocannon({
    url,
    connections: 16,
    duration: READ_SECONDS,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/v1/log/entries?logIndex=${Math.floor(Math.random() * size)}` }) }],
  });
  return Math.round(result['2xx'] / (result.duration || READ_SECONDS));
}

async function httpCeiling(url: string): Promise<number> {
  const result = await autocannon({ url: `${url}/healthz`, connections: 64, duration: QUICK ? 2 : 4 });
  return Math.round(result['2xx'] / (result.duration || 4));
}

const ENTRY_COLUMNS_DDL =
  'log_id text NOT NULL, idx bigint NOT NULL, identity bytea NOT NULL, leaf_hash bytea NOT NULL, data bytea NOT NULL, integrated_at bigint NOT NULL, PRIMARY KEY (log_id, idx)';
/** The sized ceiling's table: tlog_entries' columns and indexes, as many rows as the log. */
const SIZED_TABLE = 'bench_insert_ceiling';

async function createEntryTable(db: SqlDatabase, table: string): Promise<void> {
  await db.query(`CREATE TABLE IF NOT EXISTS ${table} (${ENTRY_COLUMNS_DDL})`);
  await db.query(`CREATE UNIQUE INDEX IF NOT EXISTS ${table}_identity ON ${table} (log_id, identity)`);
  await db.query(`CREATE INDEX IF NOT EXISTS ${table}_leaf ON ${table} (log_id, leaf_hash)`);
}

/**
 * Fills the sized table to BIG rows once (later runs reuse it, as they reuse the log):
 * rows of the shape of the log's, with 32-byte hashes spread over the whole index as the
 * log's leaf hashes are, and bodies of a real entry's size. Answers the next row's index.
 */
async function fillSizedTable(db: SqlDatabase): Promise<number> {
  await createEntryTable(db, SIZED_TABLE);
  // Rows are numbered 0, 1, 2, ... with no gaps: the next number is also the row count.
  const next = await db.query<{ n: unknown }>(`SELECT coalesce(max(idx), -1) + 1 AS n FROM ${SIZED_TABLE} WHERE log_id = 'plain'`);
  let have = Number(next[0]?.n ?? 0);
  while (have < BIG) {
    const to = Math.min(BIG, have + 100_000);
    await db.query(
      `INSERT INTO ${SIZED_TABLE} SELECT 'plain', g, sha256(int8send(g)), sha256(int8send(-g - 1)), decode(repeat(md5(g::text), 35), 'hex'), 0
         FROM generate_series($1::bigint, $2::bigint) g`,
      [have, to - 1],
    );
    have = to;
  }
  return have;
}

/** Rows per second of 256-row `INSERT ... SELECT unnest(...)` statements of `rows` into `table` from index `first`. */
async function timeInserts(db: SqlDatabase, table: string, rows: readonly Uint8Array[], first: number): Promise<number> {
  const started = performance.now();
  for (let at = 0; at < rows.length; at += BATCH) {
    const chunk = rows.slice(at, at + BATCH);
    const hashes = chunk.map((d) => hashLeaf(d));
    await db.query(
      `INSERT INTO ${table} (log_id, idx, identity, leaf_hash, data, integrated_at) SELECT 'plain', *, $5 FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::bytea[])`,
      [chunk.map((_, i) => first + at + i), hashes, hashes, chunk, Date.now()],
    );
  }
  return Math.round(rows.length / ((performance.now() - started) / 1000));
}

/**
 * Rows per second of a plain batched INSERT of the same rows into the same database: into
 * a fresh, empty table with the log's columns and indexes (the ceiling the target is set
 * against), and, for information, into such a table already holding as many rows as the
 * log (a unique index over a million random hashes costs more per insert, and depends on
 * how much of it the buffer cache holds at that moment).
 */
async function insertCeiling(store: Store, bodies: readonly string[]): Promise<{ sized: number; fresh: number }> {
  const rows = bodies.map((b) => admitV1(JSON.parse(b)).body);
  const db = await store.open();
  try {
    const sized = await timeInserts(db, SIZED_TABLE, rows, await fillSizedTable(db));
    const fresh = `bench_insert_${process.pid}`;
    await createEntryTable(db, fresh);
    try {
      // The same bodies again: a different table, so no duplicates.
      return { sized, fresh: await timeInserts(db, fresh, rows, 0) };
    } finally {
      await db.query(`DROP TABLE ${fresh}`);
    }
  } finally {
    await db.close();
  }
}

/** Microseconds per entry of each in-process stage, on one core. */
async function profile(bodies: string[]): Promise<Record<string, number>> {
  const sample = bodies.slice(0, 3000);
  const time = (fn: (b: string) => unknown): number => {
    for (const b of sample.slice(0, 300)) fn(b); // warm up
    const t = performance.now();
    for (const b of sample) fn(b);
    return Math.round(((performance.now() - t) / sample.length) * 1000 * 10) / 10;
  };
  const parsed = sample.map((b) => parseRekorV1Request(JSON.parse(b)));
  let k = 0;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = await loadLogKey({ file: join(WORK, 'profile-key.pem'), type: 'ecdsa-p256', generate: true });
  void privateKey;
  return {
    jsonParseAndStrictParse: time((b) => parseRekorV1Request(JSON.parse(b))),
    signatureCheck: time(() => {
      const r = parsed[k++ % parsed.length] as Extract<ReturnType<typeof parseRekorV1Request>, { kind: 'hashedrekord' }>;
      return verifyOverDigest(verifierFromPem(r.publicKey), r.algorithm, r.digest, r.signature);
    }),
    canonicalBodyAndLeafHash: time(() => {
      const r = parsed[k++ % parsed.length] as Extract<ReturnType<typeof parseRekorV1Request>, { kind: 'hashedrekord' }>;
      return hashLeaf(buildHashedRekordV001({ algorithm: r.algorithm, digest: r.digest, signature: r.signature, publicKey: verifierFromPem(r.publicKey).pem }));
    }),
    setSignatureAndResponse: time((b) =>
      JSON.stringify({ x: sign(key, Buffer.from(canonicalize({ body: b.slice(0, 600), integratedTime: 1, logID: 'ab', logIndex: 1 }) as string)) }),
    ),
    admitTotal: time((b) => admitV1(JSON.parse(b))),
  };
}

/**
 * Microseconds per entry the sequencer spends (SQL, tree, tiles, proofs) at a batch of 64,
 * in process, one batch at a time; and the database round trips it makes per batch
 * (statements, and BEGIN and COMMIT of explicit transactions).
 */
async function sequencing(store: Store): Promise<{ usPerEntry: number; roundTripsPerBatch: number }> {
  const db = await store.open();
  try {
    let roundTrips = 0;
    const counted: SqlDatabase = {
      kind: db.kind,
      query: (text, params, options) => {
        roundTrips++;
        return db.query(text, params, options);
      },
      transaction: (work) => {
        roundTrips += 2;
        return db.transaction((tx) => work({ query: (text, params, options) => (roundTrips++, tx.query(text, params, options)) }));
      },
      close: () => db.close(),
    };
    const key = await loadLogKey({ file: join(WORK, 'profile-key.pem'), type: 'ecdsa-p256', generate: true });
    const batch = 64;
    const log = await openV1Log({ db: counted, key, hostname: HOSTNAME, treeId: String(5_000_000_000 + Math.floor(Math.random() * 1e9)), batch: { maxBatchSize: batch, maxPending: 1 << 16 } });
    const data = Array.from({ length: QUICK ? 2048 : 6400 }, () => buildHashedRekordV001({ algorithm: 'sha256', digest: randomBytes(32), signature: randomBytes(71), publicKey: FAKE_PEM }));
    const before = roundTrips;
    const t = performance.now();
    await Promise.all(data.map((d) => log.store.append({ data: d })));
    await log.store.close();
    return {
      usPerEntry: Math.round(((performance.now() - t) / data.length) * 1000),
      roundTripsPerBatch: Math.round(((roundTrips - before) / (data.length / batch)) * 100) / 100,
    };
  } finally {
    await db.close();
  }
}

interface StoreResult {
  store: string;
  logSize: number;
  writes: Load[];
  proofReadsPerSec: number;
  plainInsertRowsPerSec: number;
  plainInsertSamples: number[];
  plainInsertSizedRowsPerSec: number;
  ratioAt64SizedTable: number;
  ratioAt64: number;
  healthzPerSec: number;
  sequencingUsPerEntry: number;
  sequencerRoundTripsPerBatch: number;
  batches: Batches[];
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  const results: StoreResult[] = [];
  say('generating signed entries...');
  const bodies = makeEntries(QUICK ? 30_000 : 90_000);
  const next = { i: 0 };
  for (const store of await stores()) {
    const dataDir = join(WORK, store.name === 'pglite' ? (QUICK ? 'pglite-quick' : 'pglite') : 'pg');
    mkdirSync(dataDir, { recursive: true });
    say(`${store.name}: making sure the log holds ${BIG} entries...`);
    await fill(store, dataDir);
    // The ceiling is measured twice, as close as it can be to the 64-client load, and the
    // two are averaged: this machine's speed drifts within minutes. PostgreSQL takes it
    // beside the running server; PGlite's files belong to the server while it runs, so it
    // is measured just before the server starts and just after it stops.
    const ceilings: { sized: number; fresh: number }[] = [];
    const ceiling = async (when: string) => {
      say(`${store.name}: plain batched INSERT ceiling (${when})...`);
      // A different slice of bodies for each sample: the sized table keeps what it took.
      const per = QUICK ? 5_000 : 20_000;
      const from = bodies.length - per * (ceilings.length + 1);
      ceilings.push(await insertCeiling(store, bodies.slice(from, from + per)));
    };
    const shared = store.name === 'postgres';
    if (!shared) await ceiling('before the loads');
    const env = { ...store.env, DATA_DIR: dataDir, REKOR_HOSTNAME: HOSTNAME, REKOR_TREE_ID: TREE_ID, REKOR_V2_ENABLED: 'false', BATCH_MAX_SIZE: String(BATCH) };
    const server = await spawnServer(env);
    const writes: Load[] = [];
    let proofReadsPerSec: number;
    let healthzPerSec: number;
    let logSize: number;
    try {
      for (const clients of [1, 16, 64]) {
        if (clients === 64 && shared) await ceiling('before 64 clients');
        say(`${store.name}: ${clients} clients writing for ${WRITE_SECONDS}s...`);
        writes.push(await writeLoad(server.url, clients, bodies, next));
        if (clients === 64 && shared) await ceiling('after 64 clients');
      }
      logSize = ((await (await fetch(`${server.url}/api/v1/log`)).json()) as { treeSize: number }).treeSize;
      say(`${store.name}: inclusion-proof reads on ${logSize} entries...`);
      proofReadsPerSec = await readLoad(server.url, logSize);
      healthzPerSec = await httpCeiling(server.url);
    } finally {
      await server.stop();
    }
    if (!shared) await ceiling('after the loads');
    const batches = await batchesOf(store, writes);
    const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
    const plainInsertRowsPerSec = mean(ceilings.map((c) => c.fresh));
    const plainInsertSizedRowsPerSec = mean(ceilings.map((c) => c.sized));
    say(`${store.name}: sequencer cost per entry...`);
    const sequencer = await sequencing(store);
    const at64 = writes.find((w) => w.clients === 64)?.entriesPerSec ?? 0;
    results.push({
      store: store.name,
      logSize,
      writes,
      proofReadsPerSec,
      plainInsertRowsPerSec,
      plainInsertSamples: ceilings.map((c) => c.fresh),
      plainInsertSizedRowsPerSec,
      ratioAt64: Math.round((at64 / plainInsertRowsPerSec) * 1000) / 1000,
      ratioAt64SizedTable: Math.round((at64 / plainInsertSizedRowsPerSec) * 1000) / 1000,
      healthzPerSec,
      sequencingUsPerEntry: sequencer.usPerEntry,
      sequencerRoundTripsPerBatch: sequencer.roundTripsPerBatch,
      batches,
    });
  }
  const stages = await profile(bodies);

  const lines: string[] = [];
  lines.push('store     clients  entries/s  p50 ms  p99 ms  errors  batches  entries/batch  batch cycle ms');
  for (const r of results) {
    for (const w of r.writes) {
      const b = r.batches.find((x) => x.clients === w.clients);
      lines.push(
        `${r.store.padEnd(9)} ${String(w.clients).padStart(7)} ${String(w.entriesPerSec).padStart(10)} ${String(w.p50ms).padStart(7)} ${String(w.p99ms).padStart(7)} ${String(w.errors).padStart(7)} ${String(b?.batches ?? '').padStart(8)} ${String(b?.entriesPerBatch ?? '').padStart(14)} ${String(b?.cycleMs ?? '').padStart(15)}`,
      );
    }
  }
  lines.push('');
  lines.push('store     log size  proof reads/s  plain INSERT rows/s  ratio@64  (1M-row table: rows/s, ratio)  healthz req/s  sequencer us/entry  round trips/batch');
  for (const r of results) {
    lines.push(
      `${r.store.padEnd(9)} ${String(r.logSize).padStart(8)} ${String(r.proofReadsPerSec).padStart(14)} ${String(r.plainInsertRowsPerSec).padStart(20)} ${r.ratioAt64.toFixed(3).padStart(9)} ${String(r.plainInsertSizedRowsPerSec).padStart(20)} ${r.ratioAt64SizedTable.toFixed(3).padStart(9)} ${String(r.healthzPerSec).padStart(14)} ${String(r.sequencingUsPerEntry).padStart(19)} ${String(r.sequencerRoundTripsPerBatch).padStart(18)}`,
    );
  }
  lines.push('');
  lines.push(`in-process cost per entry (us, one core; ECDSA over a digest: ${signatureRoute}):`);
  for (const [k, v] of Object.entries(stages)) lines.push(`  ${k.padEnd(28)} ${v}`);
  const targets = {
    postgresEntriesPerSecAt64: { target: 3000, value: results.find((r) => r.store === 'postgres')?.writes[2]?.entriesPerSec ?? null },
    p99AddLatencyMsAt16: { target: 100, value: results.map((r) => ({ store: r.store, p99: r.writes[1]?.p99ms })) },
    ratioToPlainInsert: { target: 0.15, value: results.map((r) => ({ store: r.store, ratio: r.ratioAt64 })) },
  };
  process.stdout.write(`${lines.join('\n')}\n`);
  if (JSON_OUT) process.stdout.write(`${JSON.stringify({ results, stages, signatureRoute, targets })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
