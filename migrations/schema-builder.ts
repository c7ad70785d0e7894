import { QueryRunner, Table, TableOptions } from 'typeorm';

const TEXT_TYPES = new Set(['varchar', 'text']);

/**
 * A table whose primary key is the listed columns, in order. On MySQL/MariaDB every text column
 * gets a binary collation: ids, keys and values then compare byte-wise exactly as on SQLite
 * (case-insensitive matching is done explicitly, on lower-cased key columns).
 */
export function table(
  queryRunner: QueryRunner,
  options: TableOptions & { primaryKey: string[] },
): Table {
  const mysql = queryRunner.connection.options.type === 'mysql';
  const { primaryKey, ...rest } = options;
  return new Table({
    ...rest,
    columns: (options.columns ?? []).map((column) => ({
      ...column,
      isPrimary: primaryKey.includes(column.name),
      ...(mysql && TEXT_TYPES.has(column.type) ? { collation: 'utf8mb4_bin' } : {}),
    })),
  });
}
