import { Column, Entity, PrimaryColumn } from 'typeorm';

export type EntityType = 'contact' | 'property';
export const FIELD_TYPES = ['text', 'date'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

@Entity({ name: 'custom_fields' })
export class CustomFieldEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar' })
  tenantId!: string;

  @PrimaryColumn({ name: 'entity_type', type: 'varchar' })
  entityType!: EntityType;

  /** `cf_` + slug of the name at creation; never changes. */
  @PrimaryColumn({ type: 'varchar' })
  id!: string;

  /** camelCase of the id without `cf_`: how contacts name the field in `customFields`. */
  @Column({ name: 'field_key', type: 'varchar' })
  key!: string;

  @Column({ type: 'varchar' })
  name!: string;

  @Column({ name: 'name_key', type: 'varchar' })
  nameKey!: string;

  @Column({ type: 'varchar' })
  type!: FieldType;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Column({ name: 'created_by', type: 'varchar' })
  createdBy!: string;

  predefined = false;
}
