/**
 * The few statements whose syntax differs between MySQL/MariaDB and SQLite, in one place.
 * Everything here takes positional `?` parameters, which every driver of the app accepts.
 */
export type Dialect = 'mysql' | 'sqlite';

/** Runs one statement: an EntityManager's, a QueryRunner's or a mysql2 pool's `query`. */
export type SqlRunner = (sql: string, parameters: unknown[]) => Promise<unknown>;

export function dialectOf(type: string): Dialect {
  return type === 'better-sqlite3' || type === 'sqlite' ? 'sqlite' : 'mysql';
}

/** A join that keeps the written table order: the left table drives, in its index order. */
export function straightJoin(dialect: Dialect): string {
  return dialect === 'mysql' ? 'STRAIGHT_JOIN' : 'CROSS JOIN';
}

/** `INSERT` that skips rows whose key exists already. */
export function insertIgnore(dialect: Dialect): string {
  return dialect === 'mysql' ? 'INSERT IGNORE INTO' : 'INSERT OR IGNORE INTO';
}

/**
 * Multi-row insert that adds `addColumn` to the existing row on a key conflict: concurrent
 * writers each add their delta under the row lock, and none reads the value first.
 */
export function upsertAdd(
  dialect: Dialect,
  table: string,
  keyColumns: string[],
  addColumn: string,
  rows: number,
): string {
  const columns = [...keyColumns, addColumn];
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const insert = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array<string>(rows).fill(tuple).join(', ')}`;
  return dialect === 'mysql'
    ? `${insert} ON DUPLICATE KEY UPDATE ${addColumn} = ${addColumn} + VALUES(${addColumn})`
    : `${insert} ON CONFLICT (${keyColumns.join(', ')}) DO UPDATE SET ${addColumn} = ${addColumn} + excluded.${addColumn}`;
}
