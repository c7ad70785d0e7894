import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Dialect, SqlRunner, dialectOf } from '../../database/sql-dialect';
import { currentTransactionScope, outsideTransactionScope } from '../../database/transaction-scope';
import { UnitOfWork } from '../../database/unit-of-work';
import {
  IndexedText,
  TextChange,
  indexTexts,
  reindexTexts,
  reserveKeys,
  unindexTexts,
} from './search-index.sql';
import { KEY_BLOCK_TTL_MS } from './search-key-order';

// Keys a process reserves at once for single creates: one write to the tenant's key row per
// this many contacts, or per KEY_BLOCK_TTL_MS, whichever comes first (search-key-order.ts).
const KEY_BLOCK = 256;

/**
 * The write side of the substring index. Every write that changes a contact's search text
 * calls it in the same transaction, so a search right after the write sees the change.
 * Contacts are keyed by a small integer (`contacts.search_key`), which keeps index rows narrow.
 */
@Injectable()
export class ContactSearchIndex {
  private readonly dialect: Dialect;
  private readonly blocks = new Map<string, { next: number; end: number; expiresAt: number }>();

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
  ) {
    this.dialect = dialectOf(dataSource.options.type);
  }

  private runner(manager: EntityManager): SqlRunner {
    return (sql, parameters) => manager.query(sql, parameters);
  }

  /**
   * A key for one new contact, from a block reserved in a short transaction of its own. Take
   * the contact's createdAt after it: keys then follow creation order (search-key-order.ts).
   */
  async nextKey(tenantId: string): Promise<number> {
    if (this.unitOfWork.isSqlite && currentTransactionScope()) {
      // SQLite's one connection belongs to the scope: the key is reserved in its transaction,
      // alone and uncached, so a rollback takes it back together with the contact.
      return this.unitOfWork.run((manager) =>
        reserveKeys(this.runner(manager), this.dialect, tenantId, 1),
      );
    }
    let block = this.blocks.get(tenantId);
    if (!block || block.next >= block.end || block.expiresAt <= Date.now()) {
      // In a transaction of its own, never the request's (an idempotent POST runs in one): a
      // rollback there would return the keys to the counter while this process still holds them.
      const first = await outsideTransactionScope(() =>
        this.unitOfWork.run((manager) =>
          reserveKeys(this.runner(manager), this.dialect, tenantId, KEY_BLOCK),
        ),
      );
      block = { next: first, end: first + KEY_BLOCK, expiresAt: Date.now() + KEY_BLOCK_TTL_MS };
      this.blocks.set(tenantId, block);
    }
    return block.next++;
  }

  /** `count` consecutive keys (an import batch), reserved in the caller's transaction. */
  reserveKeys(manager: EntityManager, tenantId: string, count: number): Promise<number> {
    return reserveKeys(this.runner(manager), this.dialect, tenantId, count);
  }

  add(manager: EntityManager, tenantId: string, texts: IndexedText[]): Promise<void> {
    return indexTexts(this.runner(manager), this.dialect, tenantId, texts);
  }

  change(manager: EntityManager, tenantId: string, changes: TextChange[]): Promise<void> {
    return reindexTexts(this.runner(manager), this.dialect, tenantId, changes);
  }

  remove(manager: EntityManager, tenantId: string, texts: IndexedText[]): Promise<void> {
    return unindexTexts(this.runner(manager), tenantId, texts);
  }
}
