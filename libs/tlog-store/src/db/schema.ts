import type { SqlDatabase } from './database.js';

/**
 * The store's tables. Migrations only ever add; each runs once, in order, recorded in
 * tlog_migrations, under an advisory lock so that replicas starting together do not race.
 *
 * - tlog_logs: one row per log (several logs share a database: Rekor v1, Rekor v2, CT).
 *   The row is the sequencer's lock and holds the size and root of the latest batch.
 * - tlog_entries: the leaves, by index and by identity (the dedup key, e.g. Rekor's entry UUID).
 * - tlog_tiles: tlog-tiles hash tiles (height 8). A full tile never changes; the rightmost
 *   tile of each level grows in place, and a narrower partial tile is a prefix of it.
 * - tlog_checkpoints: every signed checkpoint, one per batch, by tree size.
 * - tlog_entry_keys (2): secondary lookup keys of entries (Rekor's search index: artifact
 *   hashes, key fingerprints, emails), written in the entries' own transaction.
 */
const migrations: readonly string[] = [
  `CREATE TABLE tlog_logs (
     log_id text PRIMARY KEY,
     tree_size bigint NOT NULL,
     root_hash bytea NOT NULL,
     checkpoint text NOT NULL,
     updated_at bigint NOT NULL
   );
   CREATE TABLE tlog_entries (
     log_id text NOT NULL,
     idx bigint NOT NULL,
     identity bytea NOT NULL,
     leaf_hash bytea NOT NULL,
     data bytea NOT NULL,
     integrated_at bigint NOT NULL,
     PRIMARY KEY (log_id, idx)
   );
   CREATE UNIQUE INDEX tlog_entries_identity ON tlog_entries (log_id, identity);
   CREATE INDEX tlog_entries_leaf_hash ON tlog_entries (log_id, leaf_hash);
   CREATE TABLE tlog_tiles (
     log_id text NOT NULL,
     level smallint NOT NULL,
     idx bigint NOT NULL,
     hashes bytea NOT NULL,
     PRIMARY KEY (log_id, level, idx)
   );
   CREATE TABLE tlog_checkpoints (
     log_id text NOT NULL,
     tree_size bigint NOT NULL,
     root_hash bytea NOT NULL,
     checkpoint text NOT NULL,
     created_at bigint NOT NULL,
     PRIMARY KEY (log_id, tree_size)
   );`,
  `CREATE TABLE tlog_entry_keys (
     log_id text NOT NULL,
     key text NOT NULL,
     idx bigint NOT NULL,
     PRIMARY KEY (log_id, key, idx)
   );`,
];

/** An arbitrary fixed key for pg_advisory_xact_lock: "tlog" in ASCII. */
const MIGRATION_LOCK = 0x746c6f67;

export async function migrate(db: SqlDatabase): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query('CREATE TABLE IF NOT EXISTS tlog_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)');
    const rows = await tx.query<{ version: number }>('SELECT version FROM tlog_migrations');
    const applied = new Set(rows.map((r) => Number(r.version)));
    for (const [i, sql] of migrations.entries()) {
      const version = i + 1;
      if (applied.has(version)) continue;
      for (const statement of sql.split(';').map((s) => s.trim()).filter(Boolean)) await tx.query(statement);
      await tx.query('INSERT INTO tlog_migrations (version, applied_at) VALUES ($1, $2)', [version, Date.now()]);
    }
  });
}
