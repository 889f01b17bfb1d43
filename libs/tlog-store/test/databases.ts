import { randomUUID } from 'node:crypto';
import { migrate, openPglite, openPostgres, type SqlDatabase } from '../src/index.js';

/**
 * The backends every store test runs on: PGlite always, PostgreSQL when DATABASE_URL is
 * set (as CI sets it). Each test uses its own log id, so runs never see each other's data.
 */
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

export const freshLogId = (): string => `test-${randomUUID()}`;
