import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ContactState = 'active' | 'archived' | 'deleted';

@Entity({ name: 'contacts' })
export class ContactEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar' })
  tenantId!: string;

  @PrimaryColumn({ type: 'varchar' })
  id!: string;

  @Column({ type: 'varchar', nullable: true })
  name!: string | null;

  @Column({ name: 'name_sort', type: 'varchar' })
  nameSort!: string;

  @Column({ type: 'varchar' })
  state!: ContactState;

  @Column({ name: 'search_text', type: 'varchar' })
  searchText!: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  /** The contact's key in the search index; null until the contact is indexed. */
  @Column({
    name: 'search_key',
    type: 'bigint',
    nullable: true,
    transformer: { to: (v: unknown) => v, from: (v: unknown) => (v == null ? null : Number(v)) },
  })
  searchKey!: number | null;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt!: Date;

  @Column({ name: 'archived_at', type: 'datetime', nullable: true })
  archivedAt!: Date | null;

  @Column({ name: 'deleted_at', type: 'datetime', nullable: true })
  deletedAt!: Date | null;

  /** Moves with updatedAt, by one per write: the ETag (writes in one millisecond differ). */
  @Column({ type: 'int', default: 1 })
  version!: number;
}

export const CHANNELS = ['whatsapp', 'messenger', 'instagram', 'text'] as const;
export type Channel = (typeof CHANNELS)[number];

@Entity({ name: 'contact_identities' })
export class ContactIdentityEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar' })
  tenantId!: string;

  @PrimaryColumn({ type: 'varchar' })
  id!: string;

  @Column({ name: 'contact_id', type: 'varchar' })
  contactId!: string;

  @Column({ type: 'varchar' })
  channel!: Channel;

  /** E.164 phone number for whatsapp identities. */
  @Column({ type: 'varchar' })
  address!: string;

  /** address while the contact is live, null once deleted (frees the unique index). */
  @Column({ name: 'live_address', type: 'varchar', nullable: true })
  liveAddress!: string | null;
}

/** A contact with everything its response shows. */
export interface ContactAggregate {
  contact: ContactEntity;
  identities: ContactIdentityEntity[];
  tagIds: string[];
  /** field id → value */
  fieldValues: Map<string, string>;
}
