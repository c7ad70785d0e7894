import { Readable } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import csvParser from 'csv-parser';
import type { EntityManager } from 'typeorm';
import { newId } from '../common/identifiers';
import { contactSearchText, nameSortOf } from '../contacts/contact-search-text';
import { ContactEntity, ContactIdentityEntity } from '../contacts/contact.entity';
import type { CustomFieldEntity } from '../custom-fields/custom-field.entity';
import { CustomFieldsService } from '../custom-fields/custom-fields.service';
import { EMAIL_FIELD_ID } from '../custom-fields/predefined-fields';
import { ImportMetrics } from '../metrics/import-metrics';
import { UnitOfWork } from '../database/unit-of-work';
import { recordContactEvents } from '../events/contact-events';
import { TagEntity } from '../tags/tag.entity';
import { tagNameKey } from '../tags/tags.service';
import { ContactIndexes } from '../contacts/search/contact-indexes';
import { TagCounters } from '../tags/counts/tag-counters';
import { ContactBatchRepository, ExistingContact } from './contact-batch.repository';
import { ImportEntity } from './import.entity';
import { ImportRow, readImportRow, RowError } from './import-row';
import { BatchOutcome, ImportsRepository } from './imports.repository';

/** Rows written per transaction: one progress step, and the unit a retry resumes after. */
export const IMPORT_BATCH_SIZE = 2000;
/** Records read between two turns of the event loop. */
const YIELD_EVERY_ROWS = 200;

/** Thrown when a stopping worker hands an unfinished import back to the queue. */
export class ImportInterrupted extends Error {
  /** `handBack`: this worker is stopping (else another runner of the import has moved on). */
  constructor(readonly handBack = false) {
    super(
      handBack
        ? 'worker stopping: import released after its last committed batch'
        : 'another runner of this import has moved on',
    );
  }
}

/** The stored file cannot be read: retrying will not help. */
export class ImportFileUnreadable extends Error {
  override name = 'ImportFileUnreadable';
}

/** A batch after parsing and validation, before it is matched and written. */
interface CheckedBatch {
  rows: number;
  valid: ImportRow[];
  errors: RowError[];
  failed: number;
}

interface PendingRow {
  cells: string[];
  row: number;
}

/** A contact as the batch leaves it. */
interface Draft {
  id: string;
  isNew: boolean;
  existing?: ExistingContact;
  name: string | null;
  phone: string | null;
  values: Map<string, string>;
  /** Fields this batch set on an existing contact. */
  setFields: Set<string>;
  tagKeys: Set<string>;
  touched: boolean;
}

/**
 * Processes one import: streams the stored file through csv-parser and applies rows in batches.
 * Each batch commits its contacts and the import's progress in one transaction, so a retried job
 * skips exactly the rows already committed: no duplicate contact, no row counted twice.
 */
@Injectable()
export class ImportRunner implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ImportRunner.name);
  private stopping = false;

  constructor(
    private readonly imports: ImportsRepository,
    private readonly batches: ContactBatchRepository,
    private readonly fieldDefinitions: CustomFieldsService,
    private readonly unitOfWork: UnitOfWork,
    private readonly metrics: ImportMetrics,
    private readonly indexes: ContactIndexes,
    private readonly tagCounters: TagCounters,
  ) {}

  /** A stopping worker finishes its current batch, then releases the import to the queue. */
  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  async run(tenantId: string, importId: string): Promise<void> {
    const entity = await this.imports.find(tenantId, importId);
    if (!entity || entity.status === 'completed' || entity.status === 'failed') return;
    if (entity.status === 'uploading') return;
    entity.startedAt ??= new Date();
    // Counted before the status says processing, so processedRows / totalRows is a true progress.
    if (entity.totalRows === 0) entity.totalRows = await this.countDataRows(entity);
    await this.imports.setStatus(tenantId, importId, 'processing', {
      startedAt: entity.startedAt,
      totalRows: entity.totalRows,
    });

    const fields = new Map(
      (await this.fieldDefinitions.list(tenantId, 'contact')).map((f) => [f.id, f]),
    );
    const headerLength = entity.columns.length + entity.ignoredColumns.length;
    let rowNumber = 0;
    let dataRows = 0;
    let pending: PendingRow[] = [];

    // Batches are pipelined: while one is written, the next is parsed and validated. Writing
    // waits for the previous batch's commit, since its rows match against what that one wrote.
    let writing: Promise<void> = Promise.resolve();
    let writeFailure: { error: unknown } | undefined;
    const flush = async () => {
      if (pending.length === 0) return;
      const checked = this.checkRows(entity, pending, headerLength, fields);
      pending = [];
      await writing;
      if (writeFailure) throw writeFailure.error;
      if (this.stopping) throw new ImportInterrupted(true);
      writing = this.unitOfWork
        .run(async (manager) => {
          // Another runner of the same import (a stalled job taken over) may have moved on:
          // only the one whose view of the progress is current may write.
          const committed = await this.imports.lockProgress(tenantId, importId, manager);
          if (committed !== entity.processedRows) throw new ImportInterrupted();
          const outcome = await this.applyBatch(entity, checked, manager);
          await this.imports.recordBatch(entity, outcome, manager);
        })
        .then(() => this.metrics.batchCommitted(checked.rows, checked.failed))
        .catch((error: unknown) => {
          writeFailure = { error };
        });
    };

    for await (const record of this.records(entity)) {
      rowNumber++;
      // better-sqlite3 answers synchronously, so without a pause the whole import runs in
      // microtasks and the process serves no request (not even the status) until it ends.
      if (rowNumber % YIELD_EVERY_ROWS === 0) await setImmediate();
      if (rowNumber === 1 || isBlank(record)) continue; // the header was analysed at upload
      dataRows++;
      if (dataRows <= entity.processedRows) continue; // committed by an earlier attempt
      pending.push({ cells: record, row: rowNumber });
      if (pending.length >= IMPORT_BATCH_SIZE) await flush();
    }
    await flush();
    await writing;
    if (writeFailure) throw writeFailure.error;
    await this.imports.setStatus(tenantId, importId, 'completed', {
      totalRows: dataRows,
      completedAt: new Date(),
    });
  }

  /** The file's data rows, counted with the same parser and skip rules as the run itself. */
  private async countDataRows(entity: ImportEntity): Promise<number> {
    let records = 0;
    let dataRows = 0;
    for await (const record of this.records(entity)) {
      if (++records % (YIELD_EVERY_ROWS * 10) === 0) {
        await setImmediate();
        if (this.stopping) throw new ImportInterrupted(); // nothing committed yet: just release
      }
      if (records > 1 && !isBlank(record)) dataRows++;
    }
    return dataRows;
  }

  /** Records of the stored file, as arrays of cells. */
  private async *records(entity: ImportEntity): AsyncGenerator<string[]> {
    const imports = this.imports;
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let seq = 0; seq < entity.chunkCount; seq++) {
        const chunk = await imports.readChunk(entity.tenantId, entity.id, seq);
        if (!chunk) throw new ImportFileUnreadable(`part ${seq + 1} of the stored file is missing`);
        yield seq === 0 && chunk.subarray(0, 3).equals(BOM) ? chunk.subarray(3) : chunk;
      }
    }
    const parser = Readable.from(chunks()).pipe(
      csvParser({ headers: false, separator: entity.delimiter, strict: false }),
    );
    for await (const record of parser as AsyncIterable<Record<string, string>>) {
      yield Object.values(record);
    }
  }

  /** Parses and validates a batch's rows: pure CPU, done while the previous batch is written. */
  private checkRows(
    entity: ImportEntity,
    rows: PendingRow[],
    headerLength: number,
    fields: Map<string, CustomFieldEntity>,
  ): CheckedBatch {
    const checked: CheckedBatch = { rows: rows.length, valid: [], errors: [], failed: 0 };
    for (const pendingRow of rows) {
      const result = readImportRow(
        pendingRow.row,
        pendingRow.cells,
        headerLength,
        entity.columns,
        fields,
      );
      if ('errors' in result) {
        checked.failed++;
        checked.errors.push(...result.errors);
      } else {
        checked.valid.push(result.row);
      }
    }
    return checked;
  }

  private async applyBatch(
    entity: ImportEntity,
    checked: CheckedBatch,
    manager: EntityManager,
  ): Promise<BatchOutcome> {
    const { tenantId } = entity;
    const { valid, errors, failed } = checked;

    // Who the rows match, as the database stands before this batch.
    const phones = [...new Set(valid.flatMap((r) => (r.phone ? [r.phone] : [])))];
    const emails = [
      ...new Set(
        valid.flatMap((r) =>
          r.fields.has(EMAIL_FIELD_ID) ? [r.fields.get(EMAIL_FIELD_ID)!.toLowerCase()] : [],
        ),
      ),
    ];
    const byPhone = new Map<string, string | null>(
      await this.batches.findByPhones(tenantId, phones, manager),
    );
    // Every holder of each email, oldest first: a row matches the first one, and rows that
    // change a contact's email update these lists so later rows see the change.
    const byEmail = await this.batches.findByEmails(
      tenantId,
      emails.map((e) => e.slice(0, 191)),
      manager,
    );
    const matchedIds = [
      ...new Set(
        [...byPhone.values(), ...[...byEmail.values()].flat()].filter((id): id is string => !!id),
      ),
    ];
    const existing = await this.batches.loadExisting(tenantId, matchedIds, manager);

    const drafts = new Map<string, Draft>();
    const draftOf = (id: string): Draft => {
      let draft = drafts.get(id);
      if (!draft) {
        const found = existing.get(id)!;
        draft = {
          id,
          isNew: false,
          existing: found,
          name: found.name,
          phone: found.whatsapp?.address ?? null,
          values: new Map(found.values),
          setFields: new Set(),
          tagKeys: new Set(),
          touched: false,
        };
        drafts.set(id, draft);
      }
      return draft;
    };

    let created = 0;
    let updated = 0;
    const tagNames = new Map<string, string>();
    for (const row of valid) {
      const email = row.fields.get(EMAIL_FIELD_ID)?.toLowerCase().slice(0, 191);
      let id = row.phone ? byPhone.get(row.phone) : undefined;
      if (!id && email) id = byEmail.get(email)?.[0];
      let draft: Draft;
      if (id) {
        draft = draftOf(id);
        updated++;
      } else {
        draft = {
          id: newId('con'),
          isNew: true,
          name: null,
          phone: null,
          values: new Map(),
          setFields: new Set(),
          tagKeys: new Set(),
          touched: true,
        };
        drafts.set(draft.id, draft);
        created++;
      }
      draft.touched = true;
      if (row.name) draft.name = row.name;
      if (row.phone && row.phone !== draft.phone) {
        if (draft.phone) byPhone.set(draft.phone, null); // the old number is free again
        draft.phone = row.phone;
        byPhone.set(row.phone, draft.id);
      }
      const previousEmail = draft.values.get(EMAIL_FIELD_ID)?.toLowerCase().slice(0, 191);
      for (const [fieldId, value] of row.fields) {
        draft.values.set(fieldId, value);
        draft.setFields.add(fieldId);
      }
      if (email && email !== previousEmail) {
        if (previousEmail && byEmail.has(previousEmail)) {
          byEmail.set(
            previousEmail,
            byEmail.get(previousEmail)!.filter((holder) => holder !== draft.id),
          );
        }
        // Ids are ULIDs: sorting keeps the holders oldest first.
        byEmail.set(email, [...(byEmail.get(email) ?? []), draft.id].sort());
      }
      for (const name of row.tags) {
        const key = tagNameKey(name);
        if (!tagNames.has(key)) tagNames.set(key, name);
        draft.tagKeys.add(key);
      }
    }

    // The keys first, then the clock: search keys follow creation order (search-key-order.ts).
    const firstKey = await this.indexes.reserveKeys(manager, tenantId, created);
    const now = new Date();
    const tagIds = await this.batches.ensureTags(
      tenantId,
      tagNames,
      (name, nameKey) =>
        Object.assign(new TagEntity(), {
          tenantId,
          id: newId('tag'),
          name,
          nameKey,
          createdAt: now,
          createdBy: entity.createdBy,
        }),
      manager,
    );

    const newContacts: ContactEntity[] = [];
    const newIdentities: ContactIdentityEntity[] = [];
    const values: { contactId: string; contactCreatedAt: Date; fieldId: string; value: string }[] =
      [];
    const replacing: { contactId: string; fieldId: string }[] = [];
    const reindexed: { contact: ExistingContact; text: string }[] = [];
    const links: { contactId: string; contactCreatedAt: Date; tagId: string }[] = [];
    for (const draft of drafts.values()) {
      const contactCreatedAt = draft.isNew ? now : draft.existing!.createdAt;
      const identityAddresses = draft.isNew
        ? draft.phone
          ? [draft.phone]
          : []
        : draft
            .existing!.identityAddresses.map((a) =>
              a === draft.existing!.whatsapp?.address ? draft.phone! : a,
            )
            .concat(!draft.existing!.whatsapp && draft.phone ? [draft.phone] : []);
      const searchText = contactSearchText(draft.name, draft.values, identityAddresses);
      for (const fieldId of draft.isNew ? draft.values.keys() : draft.setFields) {
        values.push({
          contactId: draft.id,
          contactCreatedAt,
          fieldId,
          value: draft.values.get(fieldId)!,
        });
        if (!draft.isNew && draft.existing!.values.has(fieldId))
          replacing.push({ contactId: draft.id, fieldId });
      }
      for (const key of draft.tagKeys) {
        const tagId = tagIds.get(key)!;
        if (draft.isNew || !draft.existing!.tagIds.has(tagId))
          links.push({ contactId: draft.id, contactCreatedAt, tagId });
      }
      if (draft.isNew) {
        newContacts.push(
          Object.assign(new ContactEntity(), {
            tenantId,
            id: draft.id,
            name: draft.name,
            nameSort: nameSortOf(draft.name),
            state: 'active',
            searchText,
            createdAt: now,
            updatedAt: now,
            archivedAt: null,
            deletedAt: null,
          }),
        );
      } else {
        await this.batches.updateContact(
          tenantId,
          draft.id,
          { name: draft.name, nameSort: nameSortOf(draft.name), searchText, updatedAt: now },
          manager,
        );
        reindexed.push({ contact: draft.existing!, text: searchText });
      }
      const whatsapp = draft.existing?.whatsapp;
      if (draft.phone && whatsapp && whatsapp.address !== draft.phone) {
        await this.batches.moveIdentity(tenantId, whatsapp.id, draft.phone, manager);
      } else if (draft.phone && !whatsapp) {
        newIdentities.push(
          Object.assign(new ContactIdentityEntity(), {
            tenantId,
            id: newId('idn'),
            contactId: draft.id,
            channel: 'whatsapp',
            address: draft.phone,
            liveAddress: draft.phone,
          }),
        );
      }
    }
    newContacts.forEach((contact, i) => (contact.searchKey = firstKey + i));
    await this.batches.insertContacts(newContacts, manager);
    await this.batches.insertIdentities(newIdentities, manager);
    await this.batches.upsertValues(tenantId, values, replacing, manager);
    await this.batches.insertTagLinks(tenantId, links, now, manager);
    // Every new link counts, but one to a contact deleted since it was matched (it is locked now).
    const counted = links.filter(
      (link) => drafts.get(link.contactId)!.existing?.state !== 'deleted',
    );
    await this.tagCounters.linked(
      manager,
      tenantId,
      counted.map((link) => link.tagId),
    );
    await this.indexes.created(manager, newContacts);
    await this.indexes.textChanged(manager, reindexed);
    const changes = [...drafts.values()].map((draft) => ({
      contactId: draft.id,
      type: draft.isNew ? ('contact.created' as const) : ('contact.updated' as const),
    }));
    await recordContactEvents(manager, tenantId, changes, now);
    this.logger.debug({
      message: 'import batch',
      importId: entity.id,
      rows: checked.rows,
      created,
      updated,
      failed,
    });
    return { rows: checked.rows, created, updated, failed, errors };
  }
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** An empty line or one of empty cells: not a data row. */
const isBlank = (record: string[]) => record.every((cell) => cell.trim() === '');
