import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'tags' })
export class TagEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar' })
  tenantId!: string;

  @PrimaryColumn({ type: 'varchar' })
  id!: string;

  @Column({ type: 'varchar' })
  name!: string;

  /** Lower-cased name: uniqueness and ordering are case-insensitive. */
  @Column({ name: 'name_key', type: 'varchar' })
  nameKey!: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Column({ name: 'created_by', type: 'varchar' })
  createdBy!: string;
}

/** A tag with the number of live contacts carrying it. */
export interface TagWithCount {
  tag: TagEntity;
  labeledCount: number;
}
