import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

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

  /** Removes a field's values from every contact, moving those contacts' updatedAt. */
  async deleteField(tenantId: string, fieldId: string, at: Date, manager: EntityManager) {
    await manager
      .createQueryBuilder()
      .update('contacts')
      .set({ updated_at: at })
      .where('tenant_id = :tenantId', { tenantId })
      .andWhere(
        'id IN (SELECT v.contact_id FROM contact_field_values v WHERE v.tenant_id = :tenantId AND v.field_id = :fieldId)',
        { fieldId },
      )
      .execute();
    await manager
      .createQueryBuilder()
      .delete()
      .from('contact_field_values')
      .where('tenant_id = :tenantId AND field_id = :fieldId', { tenantId, fieldId })
      .execute();
  }
}
