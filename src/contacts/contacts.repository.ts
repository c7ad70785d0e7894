import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { isUniqueViolation } from '../database/driver-errors';
import { Channel, ContactAggregate, ContactEntity, ContactIdentityEntity } from './contact.entity';
import { bumpVersionWith } from './contact-version';
import { PageCursor } from './page-token';
import { ContactSearchPager, ListReads } from './search/search-page';
import { ListOrder } from './contact-keyset';
import { ResolvedContactFilter } from './contact-filter.sql';
import { ContactListReader } from './contact-list-reader';

@Injectable()
export class ContactsRepository {
  constructor(
    @InjectRepository(ContactEntity) private readonly contacts: Repository<ContactEntity>,
    @InjectRepository(ContactIdentityEntity)
    private readonly identities: Repository<ContactIdentityEntity>,
    private readonly listReader: ContactListReader,
    private readonly searchPager: ContactSearchPager,
  ) {}

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
   * A search pages through the substring index (ContactSearchPager, search/search-page.ts).
   */
  async list(
    tenantId: string,
    filter: ResolvedContactFilter,
    order: ListOrder,
    cursor: PageCursor | undefined,
    limit: number,
  ): Promise<ContactEntity[]> {
    const indexed = await this.listReader.indexedCandidates(tenantId, filter);
    if (indexed) {
      return this.listReader.page(tenantId, filter, order, { after: cursor, ids: indexed }, limit);
    }
    const { search } = filter;
    if (!search) return this.listReader.page(tenantId, filter, order, { after: cursor }, limit);
    const reads: ListReads = {
      page: (range, size) => this.listReader.page(tenantId, filter, order, range, size),
      tagged: (tagIds) => this.listReader.taggedCandidates(tenantId, tagIds),
    };
    return this.searchPager.page(
      { tenantId, filter: { ...filter, search }, order, cursor, limit },
      reads,
    );
  }
}
