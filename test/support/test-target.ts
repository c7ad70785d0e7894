/** Which backend the suite runs against, and the environment that selects it. */
export type TestTarget = 'embedded' | 'mariadb';

export const TEST_JWT_SECRET = 'e2e-test-secret-that-is-long-enough-for-hs256';

export function testTarget(): TestTarget {
  const target = process.env.TEST_TARGET ?? 'embedded';
  if (target !== 'embedded' && target !== 'mariadb') {
    throw new Error(`TEST_TARGET must be embedded or mariadb (got ${target})`);
  }
  return target;
}

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set for TEST_TARGET=mariadb`);
  return value;
}
