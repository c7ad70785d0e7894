/**
 * "The column contains the named parameter", for the lower-cased key columns (`search_text`,
 * `name_key`). INSTR has no wildcards, so `%`, `_` and `\` in a search term stay literal, and
 * it compares byte-wise on both databases (utf8mb4_bin on MySQL), as the keys are lower-cased
 * in JavaScript. On MariaDB it also scans about 15% faster than `LIKE '%…%'`.
 */
export function containsTerm(column: string, parameter: string): string {
  return `INSTR(${column}, :${parameter}) > 0`;
}
