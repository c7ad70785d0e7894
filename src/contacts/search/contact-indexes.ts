import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ContactCounters } from '../counts/contact-counters';
import { ContactEntity } from '../contact.entity';
import { ContactSearchIndex } from './contact-search-index';

type Indexed = Pick<ContactEntity, 'tenantId' | 'searchKey' | 'searchText' | 'state'>;

/**
 * The one interface contact writes call to keep the search index and the counters true, in the
 * writing transaction. A contact without a search key is not indexed or counted yet (the
 * backfill migration does both), so its writes leave both alone.
 */
@Injectable()
export class ContactIndexes {
  private readonly mysql: boolean;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly search: ContactSearchIndex,
    private readonly counters: ContactCounters,
  ) {
    this.mysql = dataSource.options.type === 'mysql';
  }

  /** A key for a contact about to be created; call it before the creating transaction. */
  newKey(tenantId: string): Promise<number> {
    return this.search.nextKey(tenantId);
  }

  /**
   * The first of `count` consecutive keys for an import batch's new contacts, reserved in the
   * batch's transaction; take their createdAt after it (search-key-order.ts).
   */
  async reserveKeys(manager: EntityManager, tenantId: string, count: number): Promise<number> {
    return count === 0 ? 0 : this.search.reserveKeys(manager, tenantId, count);
  }

  /**
   * Locks the contact row before the transaction reads it, so the state and text it reads are
   * the ones its writes replace (SQLite runs one transaction at a time anyway).
   */
  async lock(manager: EntityManager, tenantId: string, id: string): Promise<void> {
    if (!this.mysql) return;
    await manager.query('SELECT id FROM contacts WHERE tenant_id = ? AND id = ? FOR UPDATE', [
      tenantId,
      id,
    ]);
  }

  async created(manager: EntityManager, contacts: Indexed[]): Promise<void> {
    const keyed = contacts.filter((c) => c.searchKey !== null);
    if (keyed.length === 0) return;
    const tenantId = keyed[0].tenantId;
    await this.search.add(
      manager,
      tenantId,
      keyed.map((c) => ({ key: c.searchKey!, text: c.searchText })),
    );
    await this.counters.add(manager, tenantId, { active: keyed.length });
  }

  async textChanged(manager: EntityManager, changes: { contact: Indexed; text: string }[]) {
    const keyed = changes.filter(({ contact }) => contact.searchKey !== null);
    if (keyed.length === 0) return;
    await this.search.change(
      manager,
      keyed[0].contact.tenantId,
      keyed.map(({ contact, text }) => ({
        key: contact.searchKey!,
        before: contact.searchText,
        after: text,
      })),
    );
  }

  async deleted(manager: EntityManager, contact: Indexed): Promise<void> {
    if (contact.searchKey === null || contact.state === 'deleted') return;
    await this.search.remove(manager, contact.tenantId, [
      { key: contact.searchKey, text: contact.searchText },
    ]);
    await this.counters.add(manager, contact.tenantId, { [contact.state]: -1 });
  }

  async stateChanged(manager: EntityManager, contact: Indexed, to: 'active' | 'archived') {
    if (contact.searchKey === null || contact.state === to || contact.state === 'deleted') return;
    await this.counters.add(manager, contact.tenantId, { [contact.state]: -1, [to]: 1 });
  }

  count(tenantId: string, archived: boolean): Promise<number> {
    return this.counters.count(tenantId, archived ? 'archived' : 'active');
  }
}
