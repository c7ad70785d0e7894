import { Injectable } from '@nestjs/common';
import { ConflictProblem, NotFoundProblem } from '../common/problem/problem.exception';
import { newId } from '../common/identifiers';
import { isUniqueViolation } from '../database/driver-errors';
import { UnitOfWork } from '../database/unit-of-work';
import { TagEntity, TagWithCount } from './tag.entity';
import { TagsRepository } from './tags.repository';
import { TagCounters } from './counts/tag-counters';

export function tagNameKey(name: string): string {
  // "İ" is the one letter whose lower case is two code points: keep the key as long as the name.
  return name
    .trim()
    .replace(/\u0130/g, 'i')
    .toLowerCase();
}

export class TagNotFound extends NotFoundProblem {
  constructor(id: string) {
    super('TAG_NOT_FOUND', `Tag ${id} was not found.`);
  }
}

@Injectable()
export class TagsService {
  constructor(
    private readonly tags: TagsRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly counters: TagCounters,
  ) {}

  /** Every tag with the live contacts (archived included) it labels. */
  async list(tenantId: string): Promise<TagWithCount[]> {
    const [tags, counts] = await Promise.all([
      this.tags.list(tenantId),
      this.counters.counts(tenantId),
    ]);
    return tags.map((tag) => ({ tag, labeledCount: counts.get(tag.id) ?? 0 }));
  }

  async create(tenantId: string, userId: string, name: string): Promise<TagEntity> {
    const tag = Object.assign(new TagEntity(), {
      tenantId,
      id: newId('tag'),
      name: name.trim(),
      nameKey: tagNameKey(name),
      createdAt: new Date(),
      createdBy: userId,
    });
    try {
      await this.unitOfWork.run(async (manager) => {
        await this.tags.insert(tag, manager);
        await this.counters.tagsCreated(manager, tenantId, [tag.id]);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw this.duplicate(tag.name);
      throw error;
    }
    return tag;
  }

  /** Detaches the tag from every contact (their updatedAt moves) and deletes it. */
  async delete(tenantId: string, id: string): Promise<void> {
    await this.unitOfWork.run(async (manager) => {
      if (!(await this.tags.findById(tenantId, id, manager))) throw new TagNotFound(id);
      await this.tags.touchTaggedContacts(tenantId, id, new Date(), manager);
      await this.tags.delete(tenantId, id, manager);
      await this.counters.tagDeleted(manager, tenantId, id);
    });
  }

  async requireTag(tenantId: string, id: string): Promise<TagEntity> {
    const tag = await this.tags.findById(tenantId, id);
    if (!tag) throw new TagNotFound(id);
    return tag;
  }

  private duplicate(name: string): ConflictProblem {
    return new ConflictProblem('TAG_NAME_TAKEN', `A tag named "${name}" already exists.`);
  }
}
