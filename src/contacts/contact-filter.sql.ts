import { Brackets, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { UNICODE_LOWER } from '../database/data-source-options';
import { containsTerm } from '../database/sql-contains';
import { Channel, ContactEntity, ContactState } from './contact.entity';
import { ListOrder } from './contact-keyset';

/** Filters with custom fields resolved to ids and search tags resolved to tag ids. */
export interface ResolvedContactFilter {
  state: Extract<ContactState, 'active' | 'archived'>;
  search?: { term: string; tagIds: string[] };
  fieldValues: { fieldId: string; valueKey: string; value: string }[];
  tagIds: string[];
  channels: Channel[];
  createdAfter?: Date;
  createdBefore?: Date;
}

/**
 * "Some row of this contact matches", written as a scalar subquery: MySQL/MariaDB evaluate it
 * per contact along the sort index instead of rewriting it into a semi-join that materializes
 * every match and sorts them.
 */
function probe(fromWhere: string): string {
  return `(SELECT 1 FROM ${fromWhere} LIMIT 1) IS NOT NULL`;
}

/**
 * A filter index that lists its contacts in createdAt order (contact_created_at is indexed after
 * the filter columns): a field value, or a single tag. Several tags would be several ranges,
 * which no index reads in one order. Archived contacts are few, so walking their bucket of the
 * sort index is shorter than skipping every active contact the filter's index holds.
 */
export function orderedFilterIndex(
  filter: ResolvedContactFilter,
  order: ListOrder,
):
  | { table: string; condition: string; parameters: ObjectLiteral; covers: 'field' | 'tag' }
  | undefined {
  if (order.field !== 'createdAt' || filter.state !== 'active') return undefined;
  const [field] = filter.fieldValues;
  const index = field
    ? {
        table: 'contact_field_values',
        covers: 'field' as const,
        conditions: ['d.field_id = :driverFieldId AND d.value_key = :driverValueKey'],
        parameters: { driverFieldId: field.fieldId, driverValueKey: field.valueKey },
      }
    : filter.tagIds.length === 1
      ? {
          table: 'contact_tags',
          covers: 'tag' as const,
          conditions: ['d.tag_id = :driverTagId'],
          parameters: { driverTagId: filter.tagIds[0] },
        }
      : undefined;
  if (!index) return undefined;
  // The same bounds applyFilter puts on the contact, here where the index can seek with them.
  if (filter.createdAfter) index.conditions.push('d.contact_created_at >= :createdAfter');
  if (filter.createdBefore) index.conditions.push('d.contact_created_at < :createdBefore');
  const { table, covers, conditions, parameters } = index;
  return { table, covers, condition: conditions.join(' AND '), parameters };
}

/**
 * Every list filter's conditions on a query of contacts aliased `c`. `covered`: the filter the
 * query already reads its rows from, which needs no probe.
 */
export function applyFilter(
  query: SelectQueryBuilder<ContactEntity>,
  filter: ResolvedContactFilter,
  covered?: 'field' | 'tag',
) {
  if (filter.createdAfter) {
    query.andWhere('c.created_at >= :createdAfter', { createdAfter: filter.createdAfter });
  }
  if (filter.createdBefore) {
    query.andWhere('c.created_at < :createdBefore', { createdBefore: filter.createdBefore });
  }
  if (filter.search) {
    const { term, tagIds } = filter.search;
    query.andWhere(
      new Brackets((qb) => {
        qb.where(containsTerm('c.search_text', 'searchTerm'), { searchTerm: term });
        if (tagIds.length > 0) {
          qb.orWhere(
            probe(
              'contact_tags st WHERE st.tenant_id = c.tenant_id AND st.contact_id = c.id AND st.tag_id IN (:...searchTagIds)',
            ),
            { searchTagIds: tagIds },
          );
        }
      }),
    );
  }
  // Lower-cased as value_key is (JavaScript) and compared byte-wise: SQLite's LOWER folds
  // ASCII only and MySQL's default collation ignores accents.
  const sqlite = query.connection.options.type === 'better-sqlite3';
  const lowerValue = (alias: string) =>
    sqlite ? `${UNICODE_LOWER}(${alias}.value)` : `LOWER(${alias}.value) COLLATE utf8mb4_bin`;
  filter.fieldValues.forEach(({ fieldId, valueKey, value }, i) => {
    // value_key holds an indexable prefix; longer values are compared in full as well.
    const needsFullValue = value.length > valueKey.length;
    if (i === 0 && covered === 'field' && !needsFullValue) return;
    const full = needsFullValue ? ` AND ${lowerValue(`v${i}`)} = :fullValue${i}` : '';
    query.andWhere(
      probe(
        `contact_field_values v${i} WHERE v${i}.tenant_id = c.tenant_id AND v${i}.contact_id = c.id AND v${i}.field_id = :fieldId${i} AND v${i}.value_key = :valueKey${i}${full}`,
      ),
      {
        [`fieldId${i}`]: fieldId,
        [`valueKey${i}`]: valueKey,
        [`fullValue${i}`]: value.toLowerCase(),
      },
    );
  });
  if (filter.tagIds.length > 0 && covered !== 'tag') {
    query.andWhere(
      probe(
        'contact_tags ft WHERE ft.tenant_id = c.tenant_id AND ft.contact_id = c.id AND ft.tag_id IN (:...filterTagIds)',
      ),
      { filterTagIds: filter.tagIds },
    );
  }
  if (filter.channels.length > 0) {
    query.andWhere(
      probe(
        'contact_identities ci WHERE ci.tenant_id = c.tenant_id AND ci.contact_id = c.id AND ci.channel IN (:...channels)',
      ),
      { channels: filter.channels },
    );
  }
}
