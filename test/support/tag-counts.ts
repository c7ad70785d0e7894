import { DataSource } from 'typeorm';
import { testTarget } from './test-target';
import { TestTenant } from './contacts';

/** A connection to the shared server's database, as the test (not through the API). */
export async function openTestDatabase(): Promise<DataSource> {
  const source =
    testTarget() === 'mariadb'
      ? new DataSource({ type: 'mysql', url: process.env.TEST_DATABASE_URL })
      : new DataSource({
          type: 'better-sqlite3',
          database: (process.env.E2E_SQLITE_URL ?? '').replace(/^sqlite:/, ''),
          timeout: 10_000,
        });
  await source.initialize();
  return source;
}

/**
 * The ground truth: the join GET /v1/tags ran before the counters, live contacts (archived
 * included) per tag of the tenant, tags without any as 0.
 */
export async function labeledByJoin(tenantId: string): Promise<Record<string, number>> {
  const source = await openTestDatabase();
  try {
    const tags: { id: string }[] = await source.query('SELECT id FROM tags WHERE tenant_id = ?', [
      tenantId,
    ]);
    const rows: { tagId: string; total: number | string }[] = await source.query(
      `SELECT ct.tag_id AS tagId, COUNT(*) AS total FROM contact_tags ct
       JOIN contacts c ON c.tenant_id = ct.tenant_id AND c.id = ct.contact_id
       WHERE ct.tenant_id = ? AND c.state <> 'deleted'
       GROUP BY ct.tag_id`,
      [tenantId],
    );
    const truth: Record<string, number> = Object.fromEntries(tags.map((tag) => [tag.id, 0]));
    for (const row of rows) truth[row.tagId] = Number(row.total);
    return truth;
  } finally {
    await source.destroy();
  }
}

/** labeledCount per tag id, as GET /v1/tags answers. */
export async function labeledByApi(tenant: TestTenant): Promise<Record<string, number>> {
  return Object.fromEntries((await tenant.listTags()).map((tag) => [tag.id, tag.labeledCount]));
}

/** GET /v1/tags agrees with the join, and returns the counts. */
export async function expectCountsTrue(tenant: TestTenant): Promise<Record<string, number>> {
  const counts = await labeledByApi(tenant);
  expect(counts).toEqual(await labeledByJoin(tenant.id));
  return counts;
}
