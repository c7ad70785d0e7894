import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { ContactEntity } from './contact.entity';
import { ResolvedContactFilter, applyFilter, orderedFilterIndex } from './contact-filter.sql';
import { ListOrder, ListRange, SORT_COLUMNS, applyKeyset } from './contact-keyset';

/**
 * The reads of a contact list: a page of the filtered list in keyset order, and the candidate
 * ids of the filters an index can answer, at most LIST_CANDIDATE_LIMIT of them.
 */
@Injectable()
export class ContactListReader {
  private readonly candidateLimit: number;

  constructor(
    @InjectRepository(ContactEntity) private readonly contacts: Repository<ContactEntity>,
    config: AppConfig,
  ) {
    this.candidateLimit = config.listCandidateLimit;
  }

  /** Up to `limit` contacts in order, after `after` and up to `upTo` inclusive, among `ids`. */
  async page(
    tenantId: string,
    filter: ResolvedContactFilter,
    order: ListOrder,
    range: ListRange,
    limit: number,
  ): Promise<ContactEntity[]> {
    if (range.ids?.length === 0) return [];
    const direction = order.direction === 'asc' ? 'ASC' : 'DESC';
    const query = this.contacts
      .createQueryBuilder('c')
      .where('c.tenant_id = :tenantId', { tenantId })
      .andWhere('c.state = :state', { state: filter.state });
    let key = { sort: `c.${SORT_COLUMNS[order.field]}`, id: 'c.id' };
    const driver = range.ids ? undefined : orderedFilterIndex(filter, order);
    if (driver) {
      // Read the filter's index in order; its copy of created_at and the contact id are the key.
      query
        .innerJoin(driver.table, 'd', 'd.tenant_id = c.tenant_id AND d.contact_id = c.id')
        .andWhere(`d.tenant_id = :tenantId AND ${driver.condition}`, driver.parameters);
      key = { sort: 'd.contact_created_at', id: 'd.contact_id' };
    }
    if (range.ids) query.andWhere('c.id IN (:...candidateIds)', { candidateIds: range.ids });
    applyFilter(query, filter, driver?.covers);
    applyKeyset(query, key, order, range.after, 'after');
    applyKeyset(query, key, order, range.upTo, 'upTo');
    return query.orderBy(key.sort, direction).addOrderBy(key.id, direction).limit(limit).getMany();
  }

  /** The smallest candidate id list among the field value and tag filters, or null. */
  async indexedCandidates(
    tenantId: string,
    filter: ResolvedContactFilter,
  ): Promise<string[] | null> {
    const lists: (string[] | null)[] = [];
    for (const { fieldId, valueKey } of filter.fieldValues) {
      lists.push(
        await this.candidateIds(
          this.contacts.manager
            .createQueryBuilder()
            .select('v.contact_id', 'id')
            .from('contact_field_values', 'v')
            .where(
              'v.tenant_id = :tenantId AND v.field_id = :fieldId AND v.value_key = :valueKey',
              { tenantId, fieldId, valueKey },
            ),
        ),
      );
    }
    if (filter.tagIds.length > 0) lists.push(await this.taggedCandidates(tenantId, filter.tagIds));
    const short = lists.filter((list): list is string[] => list !== null);
    if (short.length === 0) return null;
    return short.reduce((a, b) => (b.length < a.length ? b : a));
  }

  /** The contacts holding any of the tags, or null when there are more than the limit. */
  taggedCandidates(tenantId: string, tagIds: string[]): Promise<string[] | null> {
    return this.candidateIds(
      this.contacts.manager
        .createQueryBuilder()
        .select('ct.contact_id', 'id')
        .from('contact_tags', 'ct')
        .where('ct.tenant_id = :tenantId AND ct.tag_id IN (:...tagIds)', { tenantId, tagIds }),
    );
  }

  /** The ids a candidate query yields, or null when there are more than the limit. */
  private async candidateIds(query: SelectQueryBuilder<ObjectLiteral>): Promise<string[] | null> {
    if (this.candidateLimit === 0) return null;
    const rows = await query.limit(this.candidateLimit + 1).getRawMany<{ id: string }>();
    return rows.length > this.candidateLimit ? null : [...new Set(rows.map((row) => row.id))];
  }
}
