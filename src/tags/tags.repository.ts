import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { containsTerm } from '../database/sql-contains';
import { TagEntity } from './tag.entity';
import { touchLinkedContacts } from '../contacts/contact-touch';

@Injectable()
export class TagsRepository {
  constructor(@InjectRepository(TagEntity) private readonly tags: Repository<TagEntity>) {}

  private repo(manager?: EntityManager): Repository<TagEntity> {
    return manager ? manager.getRepository(TagEntity) : this.tags;
  }

  /** Every tag of the tenant, ordered by name case-insensitively. */
  list(tenantId: string): Promise<TagEntity[]> {
    return this.tags.find({ where: { tenantId }, order: { nameKey: 'ASC', id: 'ASC' } });
  }

  findById(tenantId: string, id: string, manager?: EntityManager): Promise<TagEntity | null> {
    return this.repo(manager).findOneBy({ tenantId, id });
  }

  findByIds(tenantId: string, ids: string[], manager?: EntityManager): Promise<TagEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.repo(manager).findBy({ tenantId, id: In(ids) });
  }

  findByNameKeys(
    tenantId: string,
    nameKeys: string[],
    manager?: EntityManager,
  ): Promise<TagEntity[]> {
    if (nameKeys.length === 0) return Promise.resolve([]);
    return this.repo(manager).findBy({ tenantId, nameKey: In(nameKeys) });
  }

  /** Ids of the tags whose name contains the (lower-cased) term. */
  async findIdsByNameContaining(tenantId: string, term: string): Promise<string[]> {
    const rows = await this.tags
      .createQueryBuilder('t')
      .select('t.id', 'id')
      .where('t.tenant_id = :tenantId', { tenantId })
      .andWhere(containsTerm('t.name_key', 'term'), { term })
      .getRawMany<{ id: string }>();
    return rows.map((row) => row.id);
  }

  findByNameKey(tenantId: string, nameKey: string, manager?: EntityManager) {
    return this.repo(manager).findOneBy({ tenantId, nameKey });
  }

  async insert(tag: TagEntity, manager?: EntityManager): Promise<void> {
    await this.repo(manager).insert(tag);
  }

  /** Moves updatedAt of the live contacts carrying the tag: their tags are about to change. */
  async touchTaggedContacts(
    tenantId: string,
    tagId: string,
    at: Date,
    manager: EntityManager,
  ): Promise<void> {
    const link = { table: 'contact_tags', column: 'tag_id', value: tagId } as const;
    await touchLinkedContacts(manager, tenantId, link, at);
  }

  /** Deletes the tag; the contact_tags foreign key detaches it from every contact. */
  async delete(tenantId: string, id: string, manager?: EntityManager): Promise<boolean> {
    const result = await this.repo(manager).delete({ tenantId, id });
    return (result.affected ?? 0) > 0;
  }
}
