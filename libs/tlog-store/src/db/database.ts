/**
 * The few SQL operations the store needs, implemented over PostgreSQL (`pg`) and the
 * embedded PGlite. Both speak PostgreSQL's dialect and `$n` parameters, so the store
 * writes its SQL once.
 */
export interface SqlExecutor {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
}

export interface SqlDatabase extends SqlExecutor {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
