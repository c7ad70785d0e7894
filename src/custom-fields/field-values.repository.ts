import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation } from '../database/driver-errors';
import { touchLinkedContacts } from '../contacts/contact-touch';

/** Indexable form of a value: equality filters on custom fields are case-insensitive seeks. */
export const VALUE_KEY_LENGTH = 191;
export function valueKeyOf(value: string): string {
  return value.toLowerCase().slice(0, VALUE_KEY_LENGTH);
}

/**
 * Contact field values, one row per contact and field (table contact_field_values). Owned here
 * because the definition rules (retype, delete) act on them; contacts read and write them
 * through this repository.
 */
@Injectable()
export class FieldValuesRepository {
  constructor(private readonly dataSource: DataSource) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  /**
   * Values of a field held by live contacts that are not calendar dates. Anything not shaped
   * `____-__-__` is counted in SQL; the few distinct date-shaped values are checked by
   * `isDate` (2026-02-30 is shaped like a date but is not one).
   */
  async countContactsBlockingDate(
    tenantId: string,
    fieldId: string,
    isDate: (value: string) => boolean,
    manager?: EntityManager,
  ): Promise<number> {
    const base = () =>
      this.manager(manager)
        .createQueryBuilder()
        .from('contact_field_values', 'v')
        .innerJoin('contacts', 'c', 'c.tenant_id = v.tenant_id AND c.id = v.contact_id')
        .where('v.tenant_id = :tenantId', { tenantId })
        .andWhere('v.field_id = :fieldId', { fieldId })
        .andWhere("c.state <> 'deleted'");
    const notShaped = await base()
      .select('COUNT(*)', 'total')
      .andWhere("v.value NOT LIKE '____-__-__'")
      .getRawOne<{ total: string | number }>();
    const shaped = await base()
      .select('v.value', 'value')
      .addSelect('COUNT(*)', 'total')
      .andWhere("v.value LIKE '____-__-__'")
      .groupBy('v.value')
      .getRawMany<{ value: string; total: string | number }>();
    return (
      Number(notShaped?.total ?? 0) +
      shaped.filter((row) => !isDate(row.value)).reduce((sum, row) => sum + Number(row.total), 0)
    );
  }

  /** Sets one value (insert or replace); `contactCreatedAt` orders the value's index entry. */
  async set(
    tenantId: string,
    contact: { id: string; createdAt: Date },
    fieldId: string,
    value: string,
    manager: EntityManager,
  ): Promise<void> {
    const contactId = contact.id;
    const row = { value, value_key: valueKeyOf(value) };
    const result = await manager
      .createQueryBuilder()
      .update('contact_field_values')
      .set(row)
      .where('tenant_id = :tenantId AND contact_id = :contactId AND field_id = :fieldId', {
        tenantId,
        contactId,
        fieldId,
      })
      .execute();
    if ((result.affected ?? 0) > 0) return;
    try {
      await this.insertMany(
        [{ tenantId, contactId, contactCreatedAt: contact.createdAt, fieldId, value }],
        manager,
      );
    } catch (error) {
      // The row exists with this very value (MySQL reports such an update as 0 rows changed).
      if (!isUniqueViolation(error)) throw error;
    }
  }

  async insertMany(
    rows: {
      tenantId: string;
      contactId: string;
      contactCreatedAt: Date;
      fieldId: string;
      value: string;
    }[],
    manager: EntityManager,
  ): Promise<void> {
    if (rows.length === 0) return;
    const values = rows.map((r) => ({
      tenant_id: r.tenantId,
      contact_id: r.contactId,
      contact_created_at: r.contactCreatedAt,
      field_id: r.fieldId,
      value: r.value,
      value_key: valueKeyOf(r.value),
    }));
    // Columns named: without them TypeORM writes several rows of a table it has no entity for
    // positionally, in the table's column order.
    await manager
      .createQueryBuilder()
      .insert()
      .into('contact_field_values', Object.keys(values[0]))
      .values(values)
      .execute();
  }

  /** Clears one value; true when there was one. */
  async clear(
    tenantId: string,
    contactId: string,
    fieldId: string,
    manager: EntityManager,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .delete()
      .from('contact_field_values')
      .where('tenant_id = :tenantId AND contact_id = :contactId AND field_id = :fieldId', {
        tenantId,
        contactId,
        fieldId,
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** All values of one contact, field id → value. */
  async valuesOf(
    tenantId: string,
    contactId: string,
    manager?: EntityManager,
  ): Promise<Map<string, string>> {
    const rows = await this.manager(manager)
      .createQueryBuilder()
      .select(['v.field_id AS fieldId', 'v.value AS value'])
      .from('contact_field_values', 'v')
      .where('v.tenant_id = :tenantId AND v.contact_id = :contactId', { tenantId, contactId })
      .getRawMany<{ fieldId: string; value: string }>();
    return new Map(rows.map((r) => [r.fieldId, r.value]));
  }

  /** Removes a field's values from every contact, moving those contacts' updatedAt. */
  async deleteField(tenantId: string, fieldId: string, at: Date, manager: EntityManager) {
    const link = { table: 'contact_field_values', column: 'field_id', value: fieldId } as const;
    await touchLinkedContacts(manager, tenantId, link, at);
    await manager
      .createQueryBuilder()
      .delete()
      .from('contact_field_values')
      .where('tenant_id = :tenantId AND field_id = :fieldId', { tenantId, fieldId })
      .execute();
  }
}
