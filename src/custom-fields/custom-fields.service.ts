import { Injectable } from '@nestjs/common';
import {
  ConflictProblem,
  NotFoundProblem,
  ValidationProblem,
} from '../common/problem/problem.exception';
import { isUniqueViolation } from '../database/driver-errors';
import { UnitOfWork } from '../database/unit-of-work';
import { CustomFieldEntity, EntityType, FieldType } from './custom-field.entity';
import { CustomFieldsRepository } from './custom-fields.repository';
import { RESERVED_KEYS } from '../common/validation/reserved-keys';
import { candidateIds, keyOf, nameKeyOf } from './field-identity';
import { isCalendarDate } from './field-value-rules';
import { FieldValuesRepository } from './field-values.repository';
import { predefinedFieldsFor } from './predefined-fields';

export class CustomFieldNotFound extends NotFoundProblem {
  constructor(id: string) {
    super('CUSTOM_FIELD_NOT_FOUND', `Custom field ${id} was not found.`);
  }
}

@Injectable()
export class CustomFieldsService {
  constructor(
    private readonly fields: CustomFieldsRepository,
    private readonly values: FieldValuesRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /** Predefined first, then by creation. */
  async list(tenantId: string, entityType: EntityType): Promise<CustomFieldEntity[]> {
    const stored = await this.fields.list(tenantId, entityType);
    return [...predefinedFieldsFor(tenantId, entityType), ...stored];
  }

  async get(tenantId: string, entityType: EntityType, id: string): Promise<CustomFieldEntity> {
    const field =
      predefinedFieldsFor(tenantId, entityType).find((f) => f.id === id) ??
      (await this.fields.findById(tenantId, entityType, id));
    if (!field) throw new CustomFieldNotFound(id);
    return field;
  }

  /** A field named by id or key (both are accepted wherever input names a field). */
  static byReference(
    fields: CustomFieldEntity[],
    reference: string,
  ): CustomFieldEntity | undefined {
    return fields.find((field) => field.id === reference || field.key === reference);
  }

  async create(
    tenantId: string,
    entityType: EntityType,
    userId: string,
    input: { name: string; type: FieldType },
  ): Promise<CustomFieldEntity> {
    const name = input.name.trim();
    // A concurrent create can take the slug between our read and our insert: try the next one.
    for (let attempt = 0; ; attempt++) {
      const existing = await this.list(tenantId, entityType);
      this.assertNameFree(existing, name);
      const taken = new Set([
        ...[...RESERVED_KEYS].map((key) => `key:${key}`),
        ...existing.flatMap((f) => [f.id, `key:${f.key}`]),
      ]);
      let id = '';
      for (const candidate of candidateIds(name)) {
        if (!taken.has(candidate) && !taken.has(`key:${keyOf(candidate)}`)) {
          id = candidate;
          break;
        }
      }
      const field = Object.assign(new CustomFieldEntity(), {
        tenantId,
        entityType,
        id,
        key: keyOf(id),
        name,
        nameKey: nameKeyOf(name),
        type: input.type,
        createdAt: new Date(),
        createdBy: userId,
      });
      try {
        await this.unitOfWork.run((manager) => this.fields.insert(field, manager));
        return field;
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= 4) throw error;
      }
    }
  }

  async update(
    tenantId: string,
    entityType: EntityType,
    id: string,
    input: { name?: string; type?: FieldType },
  ): Promise<CustomFieldEntity> {
    if (input.name === undefined && input.type === undefined) {
      throw new ValidationProblem(
        [{ field: 'name', message: 'name or type must be given' }],
        'Nothing to update: give a name, a type or both.',
      );
    }
    return this.unitOfWork.run(async (manager) => {
      const field = await this.get(tenantId, entityType, id);
      const name = input.name?.trim() ?? field.name;
      const type = input.type ?? field.type;
      if (name === field.name && type === field.type) return field;
      if (field.predefined) {
        throw new ConflictProblem(
          'PREDEFINED_FIELD',
          `${field.id} is predefined: it cannot be renamed or retyped.`,
        );
      }
      if (nameKeyOf(name) !== field.nameKey) {
        this.assertNameFree(await this.list(tenantId, entityType), name);
      }
      if (field.type === 'text' && type === 'date') {
        const blocking = await this.values.countContactsBlockingDate(
          tenantId,
          field.id,
          isCalendarDate,
          manager,
        );
        if (blocking > 0) {
          throw new ConflictProblem(
            'FIELD_TYPE_CHANGE_BLOCKED',
            `${blocking} contact(s) hold a value of ${field.id} that is not a date (YYYY-MM-DD).`,
            { blockingContactCount: blocking },
          );
        }
      }
      const changes = { name, nameKey: nameKeyOf(name), type };
      try {
        await this.fields.update(field, changes, manager);
      } catch (error) {
        if (isUniqueViolation(error)) throw this.nameTaken(name);
        throw error;
      }
      return Object.assign(field, changes);
    });
  }

  /** Deletes the definition and removes its values from every contact. */
  async delete(tenantId: string, entityType: EntityType, id: string): Promise<void> {
    await this.unitOfWork.run(async (manager) => {
      const field = await this.get(tenantId, entityType, id);
      if (field.predefined) {
        throw new ConflictProblem(
          'PREDEFINED_FIELD',
          `${field.id} is predefined: it cannot be deleted.`,
        );
      }
      if (entityType === 'contact') {
        await this.values.deleteField(tenantId, field.id, new Date(), manager);
      }
      await this.fields.delete(tenantId, entityType, field.id, manager);
    });
  }

  private assertNameFree(existing: CustomFieldEntity[], name: string): void {
    if (existing.some((field) => field.nameKey === nameKeyOf(name))) throw this.nameTaken(name);
  }

  private nameTaken(name: string): ConflictProblem {
    return new ConflictProblem(
      'CUSTOM_FIELD_NAME_TAKEN',
      `A custom field named "${name}" already exists.`,
    );
  }
}
