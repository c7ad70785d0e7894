import { as, newTenantId } from '../support/api';
import { nextEvents, ownDatabaseEnv, runSql } from '../support/events';
import { RunningServer, startServer } from '../support/server';

/** Outbox rows with chosen seqs, as writers leave them: committed, not yet positioned. */
async function insertEvents(databaseUrl: string, tenantId: string, seqs: number[]) {
  const at = new Date().toISOString().replace('T', ' ').slice(0, 23);
  await runSql(
    databaseUrl,
    `INSERT INTO contact_events (seq, tenant_id, contact_id, type, occurred_at) VALUES ${seqs
      .map(() => `(?, ?, ?, 'contact.updated', ?)`)
      .join(', ')}`,
    seqs.flatMap((seq) => [seq, tenantId, `con_${seq}`, at]),
  );
}

/** [seq, position] of every outbox row, in seq order (mysql2 answers [rows, fields]). */
async function positions(databaseUrl: string) {
  const sql = 'SELECT seq, position FROM contact_events ORDER BY seq';
  const result = (await runSql(databaseUrl, sql)) as unknown[];
  const rows = (Array.isArray(result[0]) ? result[0] : result) as {
    seq: number | string;
    position: number | string | null;
  }[];
  return rows.map((row) => [Number(row.seq), row.position === null ? null : Number(row.position)]);
}

describe('Event positions (the sequencer)', () => {
  let server: RunningServer | undefined;
  afterAll(() => server?.stop());

  it('numbers runs of consecutive and scattered seqs after the last position, in seq order', async () => {
    // A database of its own: the seqs are chosen, and the sequencer must see only these.
    const env = await ownDatabaseEnv('positions');
    const tenantId = newTenantId();
    const headers = as(tenantId);
    server = await startServer(env);
    const { url } = server;
    // Runs of several, single seqs, gaps of one and of many, committed at once: one pass.
    const first = [3, 4, 5, 6, 8, 10, 11, 20, 100, 101, 102, 1000];
    await insertEvents(env.DATABASE_URL, tenantId, first);
    const seen = await nextEvents(headers, undefined, first.length, { url });
    expect(seen.events.map((e) => e.contactId)).toEqual(first.map((seq) => `con_${seq}`));
    expect(await positions(env.DATABASE_URL)).toEqual(first.map((seq, i) => [seq, i + 1]));

    // Later passes go on from the last position handed out.
    const second = [1001, 1002, 1005, 1006, 1007];
    await insertEvents(env.DATABASE_URL, tenantId, second);
    const more = await nextEvents(headers, seen.cursor, second.length, { url });
    expect(more.events.map((e) => e.contactId)).toEqual(second.map((seq) => `con_${seq}`));
    expect(await positions(env.DATABASE_URL)).toEqual(
      [...first, ...second].map((seq, i) => [seq, i + 1]),
    );
  }, 120_000);
});
