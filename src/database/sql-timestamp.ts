/** UTC `YYYY-MM-DD HH:MM:SS.mmm`: a literal both MySQL DATETIME(3) and SQLite compare correctly. */
export function sqlTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** Raw rows hold DATETIME as Date (mysql2) or as the text above (SQLite). */
export function fromSqlTimestamp(value: Date | string): Date {
  return value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`);
}
