import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  Brackets,
  EntityManager,
  In,
  ObjectLiteral,
  Repository,
  SelectQueryBuilder,
} from 'typeorm';
import { UNICODE_LOWER } from '../database/data-source-options';
import { AppConfig } from '../config/app-config';
import { isUniqueViolation } from '../database/driver-errors';
import { containsTerm } from '../database/sql-contains';
import {
  Channel,
  ContactAggregate,
  ContactEntity,
  ContactIdentityEntity,
  ContactState,
} from './contact.entity';
import { bumpVersionWith } from './contact-version';
import { PageCursor } from './page-token';
import { ContactSearchPlanner } from './search/contact-search.planner';
import { SearchWindow } from './search/search-window';
import { CreationOrderWalk } from './search/creation-order-walk';
import { ListOrder, SORT_COLUMNS, applyKeyset } from './contact-keyset';

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
function orderedFilterIndex(
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

@Injectable()
export class ContactsRepository {
  constructor(
    @InjectRepository(ContactEntity) private readonly contacts: Repository<ContactEntity>,
    @InjectRepository(ContactIdentityEntity)
    private readonly identities: Repository<ContactIdentityEntity>,
    private readonly searchPlanner: ContactSearchPlanner,
    private readonly window: SearchWindow,
    private readonly walk: CreationOrderWalk,
    config: AppConfig,
  ) {
    this.candidateLimit = config.listCandidateLimit;
    // Twice the candidate limit: a term in 2% of the contacts fills a page of 50 from it.
    this.searchWindow = 2 * config.listCandidateLimit;
  }

  private readonly candidateLimit: number;
  private readonly searchWindow: number;

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.contacts.manager;
  }

  /** A live (not deleted) contact, or null. */
  findLive(tenantId: string, id: string, manager?: EntityManager): Promise<ContactEntity | null> {
    return this.manager(manager)
      .getRepository(ContactEntity)
      .createQueryBuilder('c')
      .where('c.tenant_id = :tenantId AND c.id = :id', { tenantId, id })
      .andWhere("c.state <> 'deleted'")
      .getOne();
  }

  /** A live contact, its row locked until the transaction ends (SQLite runs them one by one). */
  lockLive(tenantId: string, id: string, manager: EntityManager): Promise<ContactEntity | null> {
    const query = manager
      .getRepository(ContactEntity)
      .createQueryBuilder('c')
      .where('c.tenant_id = :tenantId AND c.id = :id', { tenantId, id })
      .andWhere("c.state <> 'deleted'");
    if (manager.connection.options.type === 'mysql') query.setLock('pessimistic_write');
    return query.getOne();
  }

  /** The live contact holding a phone on a channel, if any. */
  async findIdByLiveAddress(
    tenantId: string,
    channel: Channel,
    address: string,
    manager?: EntityManager,
  ): Promise<string | null> {
    const identity = await this.manager(manager)
      .getRepository(ContactIdentityEntity)
      .findOneBy({ tenantId, channel, liveAddress: address });
    return identity?.contactId ?? null;
  }

  async insert(contact: ContactEntity, manager: EntityManager): Promise<void> {
    await manager.getRepository(ContactEntity).insert(contact);
  }

  async insertIdentity(identity: ContactIdentityEntity, manager: EntityManager): Promise<void> {
    await manager.getRepository(ContactIdentityEntity).insert(identity);
  }

  async update(
    tenantId: string,
    id: string,
    changes: Partial<Omit<ContactEntity, 'tenantId' | 'id'>>,
    manager?: EntityManager,
  ): Promise<void> {
    await this.manager(manager)
      .getRepository(ContactEntity)
      .update({ tenantId, id }, { ...changes, ...bumpVersionWith(changes) });
  }

  identitiesOf(tenantId: string, contactId: string, manager?: EntityManager) {
    return this.manager(manager)
      .getRepository(ContactIdentityEntity)
      .find({ where: { tenantId, contactId }, order: { id: 'ASC' } });
  }

  /** True when the link was created, false when it existed already. */
  async attachTag(
    tenantId: string,
    contact: { id: string; createdAt: Date },
    tagId: string,
    at: Date,
    manager: EntityManager,
  ): Promise<boolean> {
    const contactId = contact.id;
    const existing: unknown = await manager
      .createQueryBuilder()
      .select('1', 'found')
      .from('contact_tags', 'ct')
      .where('ct.tenant_id = :tenantId AND ct.contact_id = :contactId AND ct.tag_id = :tagId', {
        tenantId,
        contactId,
        tagId,
      })
      .getRawOne();
    if (existing) return false;
    try {
      await manager
        .createQueryBuilder()
        .insert()
        .into('contact_tags')
        .values({
          tenant_id: tenantId,
          contact_id: contactId,
          contact_created_at: contact.createdAt,
          tag_id: tagId,
          created_at: at,
        })
        .execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** True when a link was removed. */
  async detachTag(
    tenantId: string,
    contactId: string,
    tagId: string,
    manager: EntityManager,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .delete()
      .from('contact_tags')
      .where('tenant_id = :tenantId AND contact_id = :contactId AND tag_id = :tagId', {
        tenantId,
        contactId,
        tagId,
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Soft delete: the contact leaves every list and count, and its phones become free. */
  async softDelete(tenantId: string, id: string, at: Date, manager: EntityManager): Promise<void> {
    await manager
      .getRepository(ContactEntity)
      .update(
        { tenantId, id },
        { state: 'deleted', deletedAt: at, updatedAt: at, version: () => 'version + 1' },
      );
    await manager
      .getRepository(ContactIdentityEntity)
      .update({ tenantId, contactId: id }, { liveAddress: null });
  }

  /** Identities, tag ids and field values for a set of contacts: three queries, whatever the count. */
  async loadAggregates(tenantId: string, contacts: ContactEntity[]): Promise<ContactAggregate[]> {
    if (contacts.length === 0) return [];
    const ids = contacts.map((c) => c.id);
    const manager = this.contacts.manager;
    const [identities, tagLinks, values] = await Promise.all([
      this.identities.find({ where: { tenantId, contactId: In(ids) }, order: { id: 'ASC' } }),
      manager
        .createQueryBuilder()
        .select(['ct.contact_id AS contactId', 'ct.tag_id AS tagId'])
        .from('contact_tags', 'ct')
        .where('ct.tenant_id = :tenantId AND ct.contact_id IN (:...ids)', { tenantId, ids })
        .orderBy('ct.created_at', 'ASC')
        .addOrderBy('ct.tag_id', 'ASC')
        .getRawMany<{ contactId: string; tagId: string }>(),
      manager
        .createQueryBuilder()
        .select(['v.contact_id AS contactId', 'v.field_id AS fieldId', 'v.value AS value'])
        .from('contact_field_values', 'v')
        .where('v.tenant_id = :tenantId AND v.contact_id IN (:...ids)', { tenantId, ids })
        .orderBy('v.field_id', 'ASC')
        .getRawMany<{ contactId: string; fieldId: string; value: string }>(),
    ]);
    const byContact = new Map<string, ContactAggregate>(
      contacts.map((contact) => [
        contact.id,
        { contact, identities: [], tagIds: [], fieldValues: new Map() },
      ]),
    );
    for (const identity of identities) byContact.get(identity.contactId)?.identities.push(identity);
    for (const link of tagLinks) byContact.get(link.contactId)?.tagIds.push(link.tagId);
    for (const row of values) byContact.get(row.contactId)?.fieldValues.set(row.fieldId, row.value);
    return contacts.map((contact) => byContact.get(contact.id)!);
  }

  /**
   * One page in keyset order: `limit` contacts after the cursor.
   *
   * Filters that an index can answer (a field value, tags) are first asked for at most
   * LIST_CANDIDATE_LIMIT matching ids. A short list turns the page into a lookup of those ids;
   * a long one means matches are dense, and walking an index in sort order (in createdAt order
   * the filter's own, else the sort index, testing each contact) finds a page after a few rows.
   * Either way the cost does not grow with the tenant.
   *
   * A search asks the substring index first (src/contacts/search): a term it resolves to few
   * contacts turns the page into an id lookup. A term too common for the index is tested on the
   * next few thousand contacts in sort order, which fills the page for a common term, and then
   * walks on from there.
   */
  async list(
    tenantId: string,
    filter: ResolvedContactFilter,
    order: ListOrder,
    cursor: PageCursor | undefined,
    limit: number,
  ): Promise<ContactEntity[]> {
    const indexed = await this.indexedCandidates(tenantId, filter);
    if (indexed) return this.page(tenantId, filter, order, { after: cursor, ids: indexed }, limit);
    if (!filter.search || this.searchWindow === 0) {
      return this.page(tenantId, filter, order, { after: cursor }, limit);
    }
    const matches = await this.searchCandidates(tenantId, filter.search);
    if (Array.isArray(matches)) {
      return this.page(tenantId, filter, order, { after: cursor, ids: matches }, limit);
    }
    const walked = await this.walkCommonTerm(tenantId, filter, order, cursor, limit, matches);
    if (walked) return walked;
    const windowEnd = await this.window.keyAt(
      tenantId,
      filter.state,
      order,
      cursor,
      this.searchWindow,
    );
    const head = await this.page(
      tenantId,
      filter,
      order,
      { after: cursor, upTo: windowEnd },
      limit,
    );
    if (head.length === limit || !windowEnd) return head;
    // Too many matches to list, too few in the window: walk on from where the window ended.
    const rest = await this.page(
      tenantId,
      filter,
      order,
      { after: windowEnd },
      limit - head.length,
    );
    return [...head, ...rest];
  }

  /** Up to `limit` contacts in order, after `after` and up to `upTo` inclusive, among `ids`. */
  private async page(
    tenantId: string,
    filter: ResolvedContactFilter,
    order: ListOrder,
    range: { after?: PageCursor; upTo?: PageCursor; ids?: string[] },
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
    this.applyFilter(query, filter, driver?.covers);
    applyKeyset(query, key, order, range.after, 'after');
    applyKeyset(query, key, order, range.upTo, 'upTo');
    return query.orderBy(key.sort, direction).addOrderBy(key.id, direction).limit(limit).getMany();
  }

  /** The smallest candidate id list among the field value and tag filters, or null. */
  private async indexedCandidates(
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

  /**
   * Contacts whose text or tag names contain the term, or what the index says of a term with
   * too many: the gram a walk in key order can read (none when a tag name matches as well).
   */
  private async searchCandidates(
    tenantId: string,
    search: NonNullable<ResolvedContactFilter['search']>,
  ): Promise<string[] | { rarestGram?: number }> {
    const byText = await this.searchPlanner.candidates(tenantId, search.term);
    if ('tooCommon' in byText) return search.tagIds.length > 0 ? {} : byText;
    const byTag =
      search.tagIds.length > 0 ? await this.taggedCandidates(tenantId, search.tagIds) : [];
    if (!byTag || byText.ids.length + byTag.length > this.candidateLimit) return {};
    return [...new Set([...byText.ids, ...byTag])];
  }

  /** A common term's page in createdAt order from its gram's postings, when that decides it. */
  private walkCommonTerm(
    tenantId: string,
    filter: ResolvedContactFilter,
    order: ListOrder,
    cursor: PageCursor | undefined,
    limit: number,
    { rarestGram }: { rarestGram?: number },
  ): Promise<ContactEntity[] | undefined> {
    if (rarestGram === undefined || order.field !== 'createdAt' || !filter.search) {
      return Promise.resolve(undefined);
    }
    const at = cursor && new Date(cursor.sortValue);
    const earliest = (a?: Date, b?: Date) => (a && b ? (a < b ? a : b) : (a ?? b));
    const latest = (a?: Date, b?: Date) => (a && b ? (a > b ? a : b) : (a ?? b));
    const desc = order.direction === 'desc';
    return this.walk.page({
      tenantId,
      state: filter.state,
      term: filter.search.term,
      gram: rarestGram,
      direction: order.direction,
      after: desc ? filter.createdAfter : latest(at, filter.createdAfter),
      before: desc ? earliest(at, filter.createdBefore) : filter.createdBefore,
      limit,
      page: (ids) => this.page(tenantId, filter, order, { after: cursor, ids }, limit),
    });
  }

  private taggedCandidates(tenantId: string, tagIds: string[]) {
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

  /** `covered`: the filter the query already reads its rows from, which needs no probe. */
  private applyFilter(
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
    const sqlite = this.contacts.manager.connection.options.type === 'better-sqlite3';
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
}
