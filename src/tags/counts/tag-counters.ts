import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SqlRunner } from '../../database/sql-dialect';
import {
  addToTagCounters,
  createTagCounters,
  deleteTagCounters,
  deltasOf,
  readTagCounts,
} from './tag-counts.sql';

function runner(manager: EntityManager): SqlRunner {
  return (sql, parameters) => manager.query(sql, parameters);
}

/**
 * Labeled counts per tag (live contacts carrying it, archived included), maintained in the
 * transaction of every write that changes which live contacts carry a tag. The callers hold
 * the contact's row lock where a contact is involved, so what they report is what committed.
 */
@Injectable()
export class TagCounters {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** New tags start at zero. */
  tagsCreated(manager: EntityManager, tenantId: string, tagIds: string[]): Promise<void> {
    return createTagCounters(runner(manager), tenantId, tagIds);
  }

  /** Links made between live contacts and tags: one entry per link. */
  linked(manager: EntityManager, tenantId: string, tagIds: string[]): Promise<void> {
    return addToTagCounters(runner(manager), tenantId, deltasOf(tagIds, 1));
  }

  /** Links removed from live contacts: one entry per link. */
  unlinked(manager: EntityManager, tenantId: string, tagIds: string[]): Promise<void> {
    return addToTagCounters(runner(manager), tenantId, deltasOf(tagIds, -1));
  }

  /** A live contact about to be (soft) deleted: its tags stop counting it. */
  async contactDeleted(manager: EntityManager, tenantId: string, contactId: string) {
    const rows: { tagId: string }[] = await manager.query(
      'SELECT tag_id AS tagId FROM contact_tags WHERE tenant_id = ? AND contact_id = ?',
      [tenantId, contactId],
    );
    await this.unlinked(
      manager,
      tenantId,
      rows.map((row) => row.tagId),
    );
  }

  /** Call after deleting the tag (its links go with it): its counter goes too. */
  tagDeleted(manager: EntityManager, tenantId: string, tagId: string): Promise<void> {
    return deleteTagCounters(runner(manager), tenantId, tagId);
  }

  /** Labeled count per tag id; a tag missing from the map counts 0. */
  counts(tenantId: string): Promise<Map<string, number>> {
    return readTagCounts((sql, parameters) => this.dataSource.query(sql, parameters), tenantId);
  }
}
