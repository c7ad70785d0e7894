import { createConnection } from 'mysql2/promise';
import { api, as, newTenantId } from '../support/api';
import { changes, ContactEvent, headCursor } from '../support/events';
import { requiredEnv, testTarget } from '../support/test-target';

const WRITERS = 8;
const CONTACTS_PER_WRITER = 4;
const RENAMES = 3;
const EXPECTED = WRITERS * CONTACTS_PER_WRITER * (1 + RENAMES);

type Headers = Record<string, string>;

/** One writer: creates contacts and renames each a few times, one request after the other. */
async function writer(headers: Headers, n: number): Promise<void> {
  for (let c = 0; c < CONTACTS_PER_WRITER; c++) {
    const created = await api()
      .post('/v1/contacts')
      .set(headers)
      .send({ name: `w${n}c${c}r0` });
    expect(created.status).toBe(201);
    for (let r = 1; r <= RENAMES; r++) {
      await api()
        .patch(`/v1/contacts/${created.body.id}`)
        .set(headers)
        .send({ name: `w${n}c${c}r${r}` })
        .expect(200);
    }
  }
}

/** A consumer polling with the cursor it got, until stopped and caught up. */
function consumer(headers: Headers, cursor: string) {
  const seen: ContactEvent[] = [];
  let stop = false;
  const done = (async () => {
    for (;;) {
      const page = await changes(headers, cursor, { pageSize: 7 });
      seen.push(...page.events);
      cursor = page.nextCursor;
      if (page.events.length === 0) {
        if (stop) return;
        await new Promise((r) => setTimeout(r, 30));
      }
    }
  })();
  return {
    seen,
    finish: async () => {
      // Give the sequencer time to position the last commits, then read to the head.
      await new Promise((r) => setTimeout(r, 500));
      stop = true;
      await done;
    },
  };
}

/** Event ids end with the outbox's insert sequence number: the order ids were handed out. */
const insertOrder = (event: ContactEvent) => event.id.slice(-16);

function expectEveryEventOnceInOrder(seen: ContactEvent[]) {
  expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
  const byContact = new Map<string, string[]>();
  for (const event of seen) {
    byContact.set(event.contactId, [...(byContact.get(event.contactId) ?? []), event.type]);
  }
  expect(byContact.size).toBe(WRITERS * CONTACTS_PER_WRITER);
  for (const types of byContact.values()) {
    expect(types).toEqual(['contact.created', ...Array(RENAMES).fill('contact.updated')]);
  }
}

async function waitUntil(predicate: () => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Change feed under concurrent writers', () => {
  it(`a polling consumer sees every event of ${WRITERS} concurrent writers exactly once, in order`, async () => {
    const tenantId = newTenantId();
    const headers = as(tenantId);
    const feed = consumer(headers, await headCursor(headers));
    await Promise.all(Array.from({ length: WRITERS }, (_, n) => writer(headers, n)));
    await feed.finish();
    expect(feed.seen).toHaveLength(EXPECTED);
    expectEveryEventOnceInOrder(feed.seen);
  }, 120_000);

  if (testTarget() === 'mariadb') {
    // SQLite has a single writer, so there commits cannot overtake each other; on MariaDB a
    // transaction of the test's own holds an outbox row with an early id while others commit.
    it('a transaction held open while later ones commit is seen once, after them, when it commits', async () => {
      const tenantId = newTenantId();
      const headers = as(tenantId);
      const feed = consumer(headers, await headCursor(headers));
      const held = await createConnection(requiredEnv('TEST_DATABASE_URL'));
      try {
        await held.query('START TRANSACTION');
        await held.query(
          `INSERT INTO contact_events (tenant_id, contact_id, type, occurred_at)
           VALUES (?, 'con_held', 'contact.updated', UTC_TIMESTAMP(3))`,
          [tenantId],
        );
        await Promise.all(Array.from({ length: WRITERS }, (_, n) => writer(headers, n)));
        // Every later transaction is visible while the early one is still open.
        await waitUntil(() => feed.seen.length >= EXPECTED);
        expect(feed.seen.some((e) => e.contactId === 'con_held')).toBe(false);
        await held.query('COMMIT');
      } finally {
        await held.end();
      }
      await waitUntil(() => feed.seen.some((e) => e.contactId === 'con_held'));
      await feed.finish();
      expect(feed.seen).toHaveLength(EXPECTED + 1);
      const last = feed.seen.at(-1)!;
      expect(last.contactId).toBe('con_held');
      // It was inserted first: an id-ordered cursor would have skipped it for good.
      expect(feed.seen.slice(0, -1).every((e) => insertOrder(e) > insertOrder(last))).toBe(true);
      expectEveryEventOnceInOrder(feed.seen.slice(0, -1));
    }, 120_000);
  }
});
