/**
 * Which backend the suite runs against, and the environment that selects it. TEST_TARGET=cluster
 * is MariaDB + Redis too (so testTarget() says `mariadb` and database-specific branches of the
 * specs apply unchanged); only the shared server differs (see isCluster).
 */
export type TestTarget = 'embedded' | 'mariadb';

export const TEST_JWT_SECRET = 'e2e-test-secret-that-is-long-enough-for-hs256';

const TARGETS = ['embedded', 'mariadb', 'cluster'];

function selected(): string {
  const target = process.env.TEST_TARGET ?? 'embedded';
  if (!TARGETS.includes(target)) {
    throw new Error(`TEST_TARGET must be embedded, mariadb or cluster (got ${target})`);
  }
  return target;
}

export function testTarget(): TestTarget {
  return selected() === 'embedded' ? 'embedded' : 'mariadb';
}

/** The shared server is 2 API processes and 2 workers behind a round-robin proxy. */
export function isCluster(): boolean {
  return selected() === 'cluster';
}

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set for TEST_TARGET=${selected()}`);
  return value;
}
