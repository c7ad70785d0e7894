import { createConnection } from 'mysql2/promise';
import { api, as, newTenantId } from '../support/api';
import { requiredEnv, testTarget } from '../support/test-target';

const ids = (body: { contacts: { id: string }[] }) => body.contacts.map((c) => c.id);

describe('substring index writes', () => {
  if (testTarget() !== 'embedded') {
    // SQLite has a single writer; on MariaDB an index update must lock only its own contact's
    // rows. MariaDB range-scans a one-element `(gram, contact_key) IN ((?, ?))` on tenant_id
    // alone, so a rename changing one gram locked the tenant's whole index until commit.
    it("a rename that changes one gram does not wait for another contact's index rows", async () => {
      const tenantId = newTenantId();
      const headers = as(tenantId);
      const renamed = await api()
        .post('/v1/contacts')
        .set(headers)
        .send({ name: 'Xavier Lockprobe' })
        .expect(201);
      const other = await api()
        .post('/v1/contacts')
        .set(headers)
        .send({ name: 'Other Person' })
        .expect(201);
      const held = await createConnection(requiredEnv('TEST_DATABASE_URL'));
      try {
        // Record locks only (no gap locks), so only a writer that reads B's rows waits.
        await held.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
        await held.query('START TRANSACTION');
        const [locked] = await held.query<{ gram: number }[] & import('mysql2').RowDataPacket[]>(
          `SELECT g.gram FROM contact_search_grams g
           JOIN contacts c ON c.tenant_id = g.tenant_id AND c.search_key = g.contact_key
           WHERE c.tenant_id = ? AND c.id = ? FOR UPDATE`,
          [tenantId, other.body.id],
        );
        expect(locked.length).toBeGreaterThan(0);
        // "xavi" becomes "yavi": one gram out, one in.
        await api()
          .patch(`/v1/contacts/${renamed.body.id}`)
          .set(headers)
          .send({ name: 'Yavier Lockprobe' })
          .expect(200);
      } finally {
        await held.query('ROLLBACK');
        await held.end();
      }
      const found = await api()
        .get('/v1/contacts')
        .query({ search: 'yavier' })
        .set(headers)
        .expect(200);
      expect(ids(found.body)).toEqual([renamed.body.id]);
      const gone = await api()
        .get('/v1/contacts')
        .query({ search: 'xavier' })
        .set(headers)
        .expect(200);
      expect(gone.body.contacts).toEqual([]);
    }, 60_000);
  }

  it('a one-character rename is found by its new name and not by its old one', async () => {
    const headers = as(newTenantId());
    const created = await api()
      .post('/v1/contacts')
      .set(headers)
      .send({ name: 'Qbert' })
      .expect(201);
    await api()
      .patch(`/v1/contacts/${created.body.id}`)
      .set(headers)
      .send({ name: 'Zbert' })
      .expect(200);
    for (const [term, expected] of [
      ['zber', [created.body.id]],
      ['qber', []],
      ['bert', [created.body.id]],
    ] as const) {
      const response = await api()
        .get('/v1/contacts')
        .query({ search: term })
        .set(headers)
        .expect(200);
      expect(ids(response.body)).toEqual(expected);
    }
  });
});
