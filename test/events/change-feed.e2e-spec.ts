import { api, as, expectProblem, newTenantId } from '../support/api';
import { createField, importCsv } from '../support/imports';
import { changes, drain, EVENT_ID, headCursor, nextEvents, summary } from '../support/events';

type Headers = Record<string, string>;

async function createContact(headers: Headers, body: Record<string, unknown>): Promise<string> {
  const response = await api().post('/v1/contacts').set(headers).send(body);
  expect(response.status).toBe(201);
  return response.body.id as string;
}

async function createTag(headers: Headers, name: string): Promise<string> {
  const response = await api().post('/v1/tags').set(headers).send({ name });
  expect(response.status).toBe(201);
  return response.body.id as string;
}

/** Runs `write`, then returns the events it produced (and asserts nothing else follows). */
async function eventsOf(headers: Headers, count: number, write: () => Promise<unknown>) {
  const cursor = await headCursor(headers);
  await write();
  return summary((await nextEvents(headers, cursor, count)).events);
}

describe('Change feed: GET /v1/contacts/changes', () => {
  it('emits each event type from each contact write, with the event shape', async () => {
    const headers = as(newTenantId());
    const cursor = await headCursor(headers);
    const id = await createContact(headers, { name: 'Ada' });
    const page = await nextEvents(headers, cursor, 1);
    expect(page.events).toEqual([
      {
        id: expect.stringMatching(EVENT_ID),
        type: 'contact.created',
        contactId: id,
        occurredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      },
    ]);
    const contact = (await api().get(`/v1/contacts/${id}`).set(headers)).body;
    expect(page.events[0].occurredAt).toBe(contact.createdAt);

    const c = (type: string) => `contact.${type} ${id}`;
    const tagId = await createTag(headers, 'vip');
    const field = await createField(headers, 'Stage', 'text');
    const cases: [string, () => Promise<unknown>][] = [
      [c('updated'), () => api().patch(`/v1/contacts/${id}`).set(headers).send({ name: 'Bea' })],
      [c('archived'), () => api().post(`/v1/contacts/${id}/archive`).set(headers)],
      [c('unarchived'), () => api().post(`/v1/contacts/${id}/unarchive`).set(headers)],
      [
        c('updated'),
        () =>
          api()
            .put(`/v1/contacts/${id}/custom-fields/${field.id}`)
            .set(headers)
            .send({ value: 'lead' }),
      ],
      [
        c('updated'),
        () =>
          api()
            .put(`/v1/contacts/${id}/custom-fields/${field.id}`)
            .set(headers)
            .send({ value: '' }),
      ],
      [c('updated'), () => api().post(`/v1/contacts/${id}/tags/${tagId}`).set(headers)],
      [c('updated'), () => api().delete(`/v1/contacts/${id}/tags/${tagId}`).set(headers)],
      [c('deleted'), () => api().delete(`/v1/contacts/${id}`).set(headers)],
    ];
    for (const [expected, write] of cases) {
      expect(await eventsOf(headers, 1, write)).toEqual([expected]);
    }
  });

  it('emits nothing for no-op writes', async () => {
    const headers = as(newTenantId());
    const id = await createContact(headers, { name: 'Ada' });
    const tagId = await createTag(headers, 'vip');
    const field = await createField(headers, 'Stage', 'text');
    await api().post(`/v1/contacts/${id}/tags/${tagId}`).set(headers).expect(204);
    await api()
      .put(`/v1/contacts/${id}/custom-fields/${field.id}`)
      .set(headers)
      .send({ value: 'lead' })
      .expect(204);
    const otherTag = await createTag(headers, 'other');
    const noOps = async () => {
      await api().patch(`/v1/contacts/${id}`).set(headers).send({ name: 'Ada' }).expect(200);
      await api().patch(`/v1/contacts/${id}`).set(headers).send({}).expect(200);
      await api().post(`/v1/contacts/${id}/tags/${tagId}`).set(headers).expect(204);
      await api().delete(`/v1/contacts/${id}/tags/${otherTag}`).set(headers).expect(204);
      await api()
        .put(`/v1/contacts/${id}/custom-fields/${field.id}`)
        .set(headers)
        .send({ value: 'lead' })
        .expect(204);
      await api()
        .put(`/v1/contacts/${id}/custom-fields/cf_email`)
        .set(headers)
        .send({ value: '' })
        .expect(204);
      // Refused writes change nothing either.
      await api().post(`/v1/contacts/${id}/unarchive`).set(headers).expect(409);
      await api().post('/v1/contacts').set(headers).send({}).expect(422);
      // An untagged contact is not changed by deleting a tag.
      await api().delete(`/v1/tags/${otherTag}`).set(headers).expect(204);
    };
    expect(await eventsOf(headers, 0, noOps)).toEqual([]);
  });

  it('deleting a tag or a field definition emits contact.updated for each live contact it changed', async () => {
    const headers = as(newTenantId());
    const [a, b, untouched, gone] = await Promise.all(
      ['A', 'B', 'C', 'D'].map((name) => createContact(headers, { name })),
    );
    const tagId = await createTag(headers, 'vip');
    const field = await createField(headers, 'Stage', 'text');
    for (const id of [a, b, gone]) {
      await api().post(`/v1/contacts/${id}/tags/${tagId}`).set(headers).expect(204);
      await api()
        .put(`/v1/contacts/${id}/custom-fields/${field.id}`)
        .set(headers)
        .send({ value: 'x' })
        .expect(204);
    }
    await api().delete(`/v1/contacts/${gone}`).set(headers).expect(204);
    const byTag = await eventsOf(headers, 2, () =>
      api().delete(`/v1/tags/${tagId}`).set(headers).expect(204),
    );
    expect(byTag.sort()).toEqual([`contact.updated ${a}`, `contact.updated ${b}`].sort());
    const byField = await eventsOf(headers, 2, () =>
      api().delete(`/v1/contacts/custom-fields/${field.id}`).set(headers).expect(204),
    );
    expect(byField.sort()).toEqual([`contact.updated ${a}`, `contact.updated ${b}`].sort());
    expect([...byTag, ...byField].join()).not.toContain(untouched);
  });

  it('an import emits contact.created per created and contact.updated per updated contact', async () => {
    const headers = as(newTenantId());
    const existing = await createContact(headers, { name: 'Old', phone: '+48500100100' });
    const cursor = await headCursor(headers);
    const status = await importCsv(
      headers,
      'name,phone,tags\nNew One,+48500100101,a\nOld Renamed,+48500100100,b\nNew Two,+48500100102,\nBad,+48 1,\n',
    );
    expect(status).toMatchObject({ createdCount: 2, updatedCount: 1, failedCount: 1 });
    const { events } = await nextEvents(headers, cursor, 3);
    const list = (await api().get('/v1/contacts').set(headers)).body.contacts as {
      id: string;
      name: string;
    }[];
    const idOf = (name: string) => list.find((c) => c.name === name)!.id;
    expect(summary(events).sort()).toEqual(
      [
        `contact.created ${idOf('New One')}`,
        `contact.created ${idOf('New Two')}`,
        `contact.updated ${existing}`,
      ].sort(),
    );
  });

  it('pages in order with a cursor; an empty page returns a cursor at the head to poll with', async () => {
    const headers = as(newTenantId());
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await createContact(headers, { name: `P${i}` }));
    const all = await nextEvents(headers, undefined, 5);
    expect(all.events.map((e) => e.contactId)).toEqual(ids);

    const first = await changes(headers, undefined, { pageSize: 2 });
    expect(first.events.map((e) => e.contactId)).toEqual(ids.slice(0, 2));
    const second = await changes(headers, first.nextCursor, { pageSize: 2 });
    expect(second.events.map((e) => e.contactId)).toEqual(ids.slice(2, 4));
    const third = await changes(headers, second.nextCursor, { pageSize: 2 });
    expect(third.events.map((e) => e.contactId)).toEqual(ids.slice(4));
    const empty = await changes(headers, third.nextCursor);
    expect(empty.events).toEqual([]);
    // Polling again from the head cursor gives only what happened since.
    const later = await createContact(headers, { name: 'Later' });
    const polled = await nextEvents(headers, empty.nextCursor, 1);
    expect(summary(polled.events)).toEqual([`contact.created ${later}`]);
    // A cursor can be used again: the same events again.
    const again = await changes(headers, first.nextCursor, { pageSize: 2 });
    expect(again.events).toEqual(second.events);
  });

  it('is confined to the tenant, and its cursors do not work for another tenant', async () => {
    const a = as(newTenantId());
    const b = as(newTenantId());
    const cursorB = await headCursor(b);
    await createContact(a, { name: 'Only A' });
    const seenA = await nextEvents(a, undefined, 1);
    expect(seenA.events).toHaveLength(1);
    expect((await nextEvents(b, cursorB, 0)).events).toEqual([]);
    expectProblem(
      await api().get('/v1/contacts/changes').query({ after: seenA.cursor }).set(b),
      400,
      'INVALID_CURSOR',
    );
  });

  it('refuses bad cursors and query parameters with 400', async () => {
    const headers = as(newTenantId());
    const cursor = (await drain(headers)).cursor;
    const [payload, signature] = cursor.split('.');
    const forged = Buffer.from(JSON.stringify({ p: 0 })).toString('base64url');
    for (const after of ['nonsense', `${payload}.x`, `${forged}.${signature}`, `${cursor}.x`]) {
      expectProblem(
        await api().get('/v1/contacts/changes').query({ after }).set(headers),
        400,
        'INVALID_CURSOR',
      );
    }
    for (const query of [{ pageSize: '-1' }, { pageSize: 'ten' }, { other: '1' }]) {
      expectProblem(
        await api().get('/v1/contacts/changes').query(query).set(headers),
        400,
        'INVALID_QUERY_PARAMETER',
      );
    }
    expectProblem(
      await api().get('/v1/contacts/changes?after=a&after=b').set(headers),
      400,
      'INVALID_QUERY_PARAMETER',
    );
    // pageSize 0 means the default, above 1000 is clamped.
    await api().get('/v1/contacts/changes').query({ pageSize: 0 }).set(headers).expect(200);
    await api().get('/v1/contacts/changes').query({ pageSize: 5000 }).set(headers).expect(200);
  });

  it('needs contact:list; every role may read it; it is not taken for a contact id', async () => {
    const tenantId = newTenantId();
    for (const role of ['owner', 'admin', 'agent']) {
      await api()
        .get('/v1/contacts/changes')
        .set(as(tenantId, { role, scopes: ['contact:list'] }))
        .expect(200);
    }
    expectProblem(
      await api()
        .get('/v1/contacts/changes')
        .set(as(tenantId, { scopes: ['contact:read'] })),
      403,
    );
    await api().get('/v1/contacts/changes').expect(401);
  });
});
