import type { Pool } from 'mysql2/promise';

export const FEED_TENANT = 'tn_bench_feed';

/**
 * Seeds `count` positioned events for one tenant by bulk SQL (as the sequencer leaves them),
 * after whatever the database already holds, and moves the sequencer head past them.
 */
export async function seedEvents(pool: Pool, count: number): Promise<void> {
  await pool.query('DELETE FROM contact_events WHERE tenant_id = ?', [FEED_TENANT]);
  const [[state]] = (await pool.query(
    "SELECT last_position FROM event_sequencer WHERE name = 'contact_events'",
  )) as unknown as [{ last_position: number }[]];
  const base = Number(state.last_position);
  const types = ['contact.created', 'contact.updated', 'contact.updated', 'contact.archived'];
  const now = Date.now() - 3600_000;
  const batch = 10_000;
  for (let start = 0; start < count; start += batch) {
    const rows: unknown[][] = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const at = new Date(now + Math.floor(i / 100)).toISOString().replace('T', ' ').slice(0, 23);
      rows.push([
        FEED_TENANT,
        `con_bench${String(i % 50_000).padStart(8, '0')}`,
        types[i % 4],
        at,
        base + i + 1,
      ]);
    }
    await pool.query(
      'INSERT INTO contact_events (tenant_id, contact_id, type, occurred_at, position) VALUES ?',
      [rows],
    );
  }
  await pool.query("UPDATE event_sequencer SET last_position = ? WHERE name = 'contact_events'", [
    base + count,
  ]);
}

/** Walks the whole feed 1,000 at a time, as one consumer does; returns events and seconds. */
export async function walkFeed(baseUrl: string, token: string) {
  const started = process.hrtime.bigint();
  let events = 0;
  let cursor: string | undefined;
  for (;;) {
    const query = new URLSearchParams({ pageSize: '1000' });
    if (cursor) query.set('after', cursor);
    const response = await fetch(`${baseUrl}/v1/contacts/changes?${query.toString()}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (response.status !== 200)
      throw new Error(`feed: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { events: unknown[]; nextCursor: string };
    events += page.events.length;
    cursor = page.nextCursor;
    if (page.events.length < 1000) break;
  }
  return { events, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
