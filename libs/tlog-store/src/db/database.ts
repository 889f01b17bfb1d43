/**
 * The few SQL operations the store needs, implemented over PostgreSQL (`pg`) and the
 * embedded PGlite. Both speak PostgreSQL's dialect and `$n` parameters, so the store
 * writes its SQL once.
 */
export interface SqlExecutor {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<Row[]>;
}

export interface QueryOptions {
  /**
   * Keep the statement prepared on each connection under this name, so PostgreSQL parses
   * and plans it once per connection rather than on every call. Only for constant SQL
   * text: one name, one text. PGlite ignores it.
   */
  readonly prepare?: string;
  /**
   * Run on the database's one writer connection, where statements run one after another in
   * the order they were issued (a pool gives no such order: a later statement can reach
   * the server first). A sequencer sends its next batch behind the last one this way.
   */
  readonly inOrder?: boolean;
}

export interface SqlDatabase extends SqlExecutor {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
