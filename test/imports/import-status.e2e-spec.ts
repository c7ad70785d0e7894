import { api, as, expectProblem, newTenantId } from '../support/api';
import {
  getImport,
  listAllContacts,
  namesByPhone,
  numberedCsv,
  phoneNumber,
  uploadCsv,
  waitForImport,
} from '../support/imports';

describe('CSV import: status', () => {
  it('is 404 IMPORT_NOT_FOUND for another tenant and for an unknown id', async () => {
    const owner = as(newTenantId());
    const importId = await uploadCsv(owner, 'name,phone\nAnna,+48518000001\n');
    await waitForImport(owner, importId);

    const stranger = as(newTenantId());
    const other = await api().get(`/v1/contacts/imports/${importId}`).set(stranger);
    expectProblem(other, 404, 'IMPORT_NOT_FOUND');
    const unknown = await api()
      .get('/v1/contacts/imports/import_01HV8Z92S0R7M4E5P6Q8T1A2B3')
      .set(owner);
    expectProblem(unknown, 404, 'IMPORT_NOT_FOUND');
    const garbage = await api().get('/v1/contacts/imports/not-an-id').set(owner);
    expectProblem(garbage, 404, 'IMPORT_NOT_FOUND');

    // The owner still sees it, and the stranger got no contact out of it.
    expect((await getImport(owner, importId)).status).toBe('completed');
    expect(await listAllContacts(stranger)).toEqual([]);
  });

  it('needs a token (401) and the contact:list scope (403)', async () => {
    const tenant = newTenantId();
    const importId = await uploadCsv(as(tenant), 'name\nAnna\n');
    const anonymous = await api().get(`/v1/contacts/imports/${importId}`);
    expectProblem(anonymous, 401);
    const withoutList = await api()
      .get(`/v1/contacts/imports/${importId}`)
      .set(as(tenant, { scopes: ['contact:create', 'contact:read'] }));
    expectProblem(withoutList, 403);
    const listOnly = await api()
      .get(`/v1/contacts/imports/${importId}`)
      .set(as(tenant, { role: 'agent', scopes: ['contact:list'] }))
      .expect(200);
    expect(listOnly.body.importId).toBe(importId);
  });

  it('shows progress that only grows, and completes a 5000-row file over several batches with exact counts', async () => {
    const headers = as(newTenantId());
    const file = numberedCsv(5000);
    const { created, updated, failed } = file;
    expect([created, updated, failed]).toEqual([4830, 70, 100]);
    const importId = await uploadCsv(headers, file.csv);

    const seen: number[] = [];
    const status = await waitForImport(headers, importId, {
      timeoutMs: 60_000,
      intervalMs: 20,
      done: (s) => {
        seen.push(s.processedRows);
        expect(['queued', 'processing', 'completed']).toContain(s.status);
        expect(s.successCount).toBe(s.createdCount + s.updatedCount);
        expect(s.processedRows).toBe(s.successCount + s.failedCount);
        return s.status === 'completed';
      },
    });
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    // The API answers while the import runs: progress is visible between batches.
    expect(seen.some((n) => n > 0 && n < 5000)).toBe(true);
    expect(status).toMatchObject({
      status: 'completed',
      totalRows: 5000,
      processedRows: 5000,
      successCount: created + updated,
      createdCount: created,
      updatedCount: updated,
      failedCount: failed,
      errorsTruncated: false,
    });
    expect(status.errors).toHaveLength(failed);
    expect(status.errors.map((e) => e.row)).toEqual(file.failedRows);
    expect(file.failedRows.slice(0, 3)).toEqual([51, 101, 151]);
    expect(await namesByPhone(headers)).toEqual(file.names);
    const count = await api().get('/v1/contacts/count').set(headers).expect(200);
    expect(count.body.totalSize).toBe(created);
  });

  it('answers the status of a queued or running import with consistent counts', async () => {
    const headers = as(newTenantId());
    const rows = Array.from({ length: 3000 }, (_, i) => `P ${i},${phoneNumber(600_000 + i)}`);
    const importId = await uploadCsv(headers, `name,phone\n${rows.join('\n')}\n`);
    const first = await getImport(headers, importId);
    expect(first.importId).toBe(importId);
    expect(['queued', 'processing', 'completed']).toContain(first.status);
    expect(first.processedRows).toBeLessThanOrEqual(3000);
    if (first.status !== 'completed') expect(first.completedAt).toBeNull();
    if (first.status === 'queued') expect(first.startedAt).toBeNull();
    expect(first).not.toHaveProperty('failureReason');
    const done = await waitForImport(headers, importId, { timeoutMs: 60_000 });
    expect(done).toMatchObject({ status: 'completed', totalRows: 3000, createdCount: 3000 });
  });
});
