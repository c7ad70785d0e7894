import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { CustomFieldEntity, EntityType } from './custom-field.entity';

/** Stored (tenant-defined) field definitions; predefined ones live in code. */
@Injectable()
export class CustomFieldsRepository {
  constructor(
    @InjectRepository(CustomFieldEntity) private readonly fields: Repository<CustomFieldEntity>,
  ) {}

  private repo(manager?: EntityManager): Repository<CustomFieldEntity> {
    return manager ? manager.getRepository(CustomFieldEntity) : this.fields;
  }

  list(tenantId: string, entityType: EntityType, manager?: EntityManager) {
    return this.repo(manager).find({
      where: { tenantId, entityType },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  findById(tenantId: string, entityType: EntityType, id: string, manager?: EntityManager) {
    return this.repo(manager).findOneBy({ tenantId, entityType, id });
  }

  async insert(field: CustomFieldEntity, manager?: EntityManager): Promise<void> {
    const { predefined: _predefined, ...row } = field;
    await this.repo(manager).insert(row);
  }

  async update(
    field: CustomFieldEntity,
    changes: Pick<CustomFieldEntity, 'name' | 'nameKey' | 'type'>,
    manager?: EntityManager,
  ): Promise<void> {
    const { tenantId, entityType, id } = field;
    await this.repo(manager).update({ tenantId, entityType, id }, changes);
  }

  async delete(tenantId: string, entityType: EntityType, id: string, manager: EntityManager) {
    await this.repo(manager).delete({ tenantId, entityType, id });
  }
}
