/** True when a write failed on a unique or primary key (MySQL/MariaDB or SQLite). */
export function isUniqueViolation(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: string; errno?: number } })?.driverError;
  const code = driverError?.code ?? (error as { code?: string })?.code;
  return (
    code === 'ER_DUP_ENTRY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** A MySQL transaction aborted by deadlock detection or a lock wait timeout: safe to rerun. */
export function isRetryableConflict(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: string } })?.driverError;
  const code = driverError?.code ?? (error as { code?: string })?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}

/**
 * Codes of a database that cannot be reached or is too busy to answer: mysql2 socket and
 * protocol failures, the server refusing connections, pool queue limits, SQLite busy timeouts.
 * A request that hits one gets a 503 (the database may be back in a moment), never a 500.
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_NET_READ_INTERRUPTED',
  'ER_NET_WRITE_INTERRUPTED',
  'ER_NET_READ_ERROR',
  'ER_NET_ERROR_ON_WRITE',
  'ER_LOCK_WAIT_TIMEOUT',
  'SQLITE_BUSY',
  'SQLITE_BUSY_TIMEOUT',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_LOCKED',
  'SQLITE_LOCKED_SHAREDCACHE',
]);

/** mysql2 says these in words only (pool and connection states). */
const UNAVAILABLE_MESSAGES = [
  /^Pool is closed/,
  /^Queue limit reached/,
  /^No connections available/,
  /^Can't add new command when connection is in closed state/,
  /^Connection lost/,
  /^connect ETIMEDOUT/,
];

/** True when the database was unreachable (or busy past its timeout), not when the query was bad. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; driverError?: unknown };
    if (typeof candidate.code === 'string' && UNAVAILABLE_CODES.has(candidate.code)) return true;
    const message = typeof candidate.message === 'string' ? candidate.message : '';
    if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
    current = candidate.driverError ?? (current as { cause?: unknown }).cause;
  }
  return false;
}
