import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { ContactEntity, ContactIdentityEntity } from '../contacts/contact.entity';
import { bumpVersionWith } from '../contacts/contact-version';
import { valueKeyOf } from '../custom-fields/field-values.repository';
import { EMAIL_FIELD_ID } from '../custom-fields/predefined-fields';
import { isUniqueViolation } from '../database/driver-errors';
import { sqlTimestamp } from '../database/sql-timestamp';
import { TagCounters } from '../tags/counts/tag-counters';
import { TagEntity } from '../tags/tag.entity';

/** What an import needs to know of an existing contact to update it. */
export interface ExistingContact {
  tenantId: string;
  id: string;
  searchKey: number | null;
  searchText: string;
  state: ContactEntity['state'];
  name: string | null;
  createdAt: Date;
  whatsapp: ContactIdentityEntity | null;
  identityAddresses: string[];
  values: Map<string, string>;
  tagIds: Set<string>;
}

// One statement per table per batch: 2000 rows × at most 10 columns stays under both
// databases' placeholder limits (SQLite 32766, MySQL 65535).
const ROWS_PER_STATEMENT = 2000;

/**
 * One multi-row INSERT with positional parameters. TypeORM's insert builder spends more time
 * naming and escaping thousands of parameters than the database spends inserting the rows.
 */
async function insertRows(
  manager: EntityManager,
  table: string,
  columns: string[],
  rows: unknown[][],
): Promise<void> {
  for (const part of chunks(rows)) {
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    await manager.query(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${part.map(() => tuple).join(', ')}`,
      part.flat(),
    );
  }
}

function placeholders(values: unknown[]): string {
  return values.map(() => '?').join(', ');
}

function chunks<T>(items: T[], size = ROWS_PER_STATEMENT): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/**
 * Set-based reads and writes over the contact tables for one import batch: a fixed number of
 * statements per batch, whatever its size.
 */
@Injectable()
export class ContactBatchRepository {
  constructor(private readonly tagCounters: TagCounters) {}

  /** phone → id of the live contact holding it as its WhatsApp identity. */
  async findByPhones(tenantId: string, phones: string[], manager: EntityManager) {
    const found = new Map<string, string>();
    for (const part of chunks(phones)) {
      const rows: { liveAddress: string; contactId: string }[] = await manager.query(
        `SELECT live_address AS liveAddress, contact_id AS contactId FROM contact_identities
         WHERE tenant_id = ? AND channel = 'whatsapp' AND live_address IN (${placeholders(part)})`,
        [tenantId, ...part],
      );
      for (const row of rows) found.set(row.liveAddress, row.contactId);
    }
    return found;
  }

  /** lower-cased email → ids of the live contacts whose cf_email matches, oldest first. */
  async findByEmails(tenantId: string, emailKeys: string[], manager: EntityManager) {
    const found = new Map<string, string[]>();
    for (const part of chunks(emailKeys)) {
      const rows: { emailKey: string; contactId: string }[] = await manager.query(
        `SELECT v.value_key AS emailKey, c.id AS contactId
         FROM contact_field_values v
         JOIN contacts c ON c.tenant_id = v.tenant_id AND c.id = v.contact_id
         WHERE v.tenant_id = ? AND v.field_id = ? AND v.value_key IN (${placeholders(part)})
           AND c.state <> 'deleted'
         ORDER BY c.id`,
        [tenantId, EMAIL_FIELD_ID, ...part],
      );
      for (const row of rows)
        found.set(row.emailKey, [...(found.get(row.emailKey) ?? []), row.contactId]);
    }
    return found;
  }

  async loadExisting(tenantId: string, ids: string[], manager: EntityManager) {
    const result = new Map<string, ExistingContact>();
    for (const part of chunks(ids)) {
      const contacts = await manager.getRepository(ContactEntity).find({
        select: {
          id: true,
          name: true,
          createdAt: true,
          searchKey: true,
          searchText: true,
          state: true,
        },
        where: { tenantId, id: In(part) },
        // Locked: the batch replaces this search text in the index (see ContactIndexes.lock).
        ...(manager.connection.options.type === 'mysql'
          ? { lock: { mode: 'pessimistic_write' as const } }
          : {}),
      });
      for (const c of contacts) {
        result.set(c.id, {
          tenantId,
          id: c.id,
          searchKey: c.searchKey,
          searchText: c.searchText,
          state: c.state,
          name: c.name,
          createdAt: c.createdAt,
          whatsapp: null,
          identityAddresses: [],
          values: new Map(),
          tagIds: new Set(),
        });
      }
      const identities = await manager
        .getRepository(ContactIdentityEntity)
        .find({ where: { tenantId, contactId: In(part) }, order: { id: 'ASC' } });
      for (const identity of identities) {
        const contact = result.get(identity.contactId);
        if (!contact) continue;
        contact.identityAddresses.push(identity.address);
        if (identity.channel === 'whatsapp' && !contact.whatsapp) contact.whatsapp = identity;
      }
      const values = await manager
        .createQueryBuilder()
        .select(['v.contact_id AS contactId', 'v.field_id AS fieldId', 'v.value AS value'])
        .from('contact_field_values', 'v')
        .where('v.tenant_id = :tenantId AND v.contact_id IN (:...ids)', { tenantId, ids: part })
        .getRawMany<{ contactId: string; fieldId: string; value: string }>();
      for (const v of values) result.get(v.contactId)?.values.set(v.fieldId, v.value);
      const links = await manager
        .createQueryBuilder()
        .select(['ct.contact_id AS contactId', 'ct.tag_id AS tagId'])
        .from('contact_tags', 'ct')
        .where('ct.tenant_id = :tenantId AND ct.contact_id IN (:...ids)', { tenantId, ids: part })
        .getRawMany<{ contactId: string; tagId: string }>();
      for (const link of links) result.get(link.contactId)?.tagIds.add(link.tagId);
    }
    return result;
  }

  /** Tag ids by lower-cased name, creating the missing tags. */
  async ensureTags(
    tenantId: string,
    names: Map<string, string>,
    createTag: (name: string, nameKey: string) => TagEntity,
    manager: EntityManager,
  ): Promise<Map<string, string>> {
    const keys = [...names.keys()];
    const ids = new Map<string, string>();
    if (keys.length === 0) return ids;
    const load = async () => {
      for (const part of chunks(keys)) {
        const tags = await manager
          .getRepository(TagEntity)
          .find({ select: { id: true, nameKey: true }, where: { tenantId, nameKey: In(part) } });
        for (const tag of tags) ids.set(tag.nameKey, tag.id);
      }
    };
    await load();
    const missing = keys
      .filter((key) => !ids.has(key))
      .map((key) => createTag(names.get(key)!, key));
    try {
      for (const part of chunks(missing)) await manager.getRepository(TagEntity).insert(part);
      for (const tag of missing) ids.set(tag.nameKey, tag.id);
      await this.tagCounters.tagsCreated(
        manager,
        tenantId,
        missing.map((tag) => tag.id),
      );
    } catch (error) {
      // Created concurrently through the API: the batch fails and its retry finds them.
      if (isUniqueViolation(error)) throw new Error('tag created concurrently; retry the batch');
      throw error;
    }
    return ids;
  }

  async insertContacts(contacts: ContactEntity[], manager: EntityManager) {
    await insertRows(
      manager,
      'contacts',
      [
        'tenant_id',
        'id',
        'name',
        'name_sort',
        'state',
        'search_text',
        'created_at',
        'updated_at',
        'search_key',
      ],
      contacts.map((c) => [
        c.tenantId,
        c.id,
        c.name,
        c.nameSort,
        c.state,
        c.searchText,
        sqlTimestamp(c.createdAt),
        sqlTimestamp(c.updatedAt),
        c.searchKey ?? null,
      ]),
    );
  }

  async insertIdentities(identities: ContactIdentityEntity[], manager: EntityManager) {
    await insertRows(
      manager,
      'contact_identities',
      ['tenant_id', 'id', 'contact_id', 'channel', 'address', 'live_address'],
      identities.map((i) => [i.tenantId, i.id, i.contactId, i.channel, i.address, i.liveAddress]),
    );
  }

  async moveIdentity(tenantId: string, id: string, address: string, manager: EntityManager) {
    await manager
      .getRepository(ContactIdentityEntity)
      .update({ tenantId, id }, { address, liveAddress: address });
  }

  async updateContact(
    tenantId: string,
    id: string,
    changes: Partial<ContactEntity>,
    manager: EntityManager,
  ) {
    await manager
      .getRepository(ContactEntity)
      .update({ tenantId, id }, { ...changes, ...bumpVersionWith(changes) });
  }

  /** Writes values, replacing the ones the contacts already hold for the same fields. */
  async upsertValues(
    tenantId: string,
    values: { contactId: string; contactCreatedAt: Date; fieldId: string; value: string }[],
    replacing: { contactId: string; fieldId: string }[],
    manager: EntityManager,
  ) {
    for (const part of chunks(replacing, 200)) {
      const query = manager.createQueryBuilder().delete().from('contact_field_values');
      query.where('tenant_id = :tenantId', { tenantId });
      query.andWhere(
        `(${part.map((_, i) => `(contact_id = :c${i} AND field_id = :f${i})`).join(' OR ')})`,
        Object.fromEntries(
          part.flatMap((p, i) => [
            [`c${i}`, p.contactId],
            [`f${i}`, p.fieldId],
          ]),
        ),
      );
      await query.execute();
    }
    await insertRows(
      manager,
      'contact_field_values',
      ['tenant_id', 'contact_id', 'contact_created_at', 'field_id', 'value', 'value_key'],
      values.map((v) => [
        tenantId,
        v.contactId,
        sqlTimestamp(v.contactCreatedAt),
        v.fieldId,
        v.value,
        valueKeyOf(v.value),
      ]),
    );
  }

  async insertTagLinks(
    tenantId: string,
    links: { contactId: string; contactCreatedAt: Date; tagId: string }[],
    at: Date,
    manager: EntityManager,
  ) {
    const createdAt = sqlTimestamp(at);
    await insertRows(
      manager,
      'contact_tags',
      ['tenant_id', 'contact_id', 'contact_created_at', 'tag_id', 'created_at'],
      links.map((l) => [
        tenantId,
        l.contactId,
        sqlTimestamp(l.contactCreatedAt),
        l.tagId,
        createdAt,
      ]),
    );
  }
}
