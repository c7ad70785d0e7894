import type { EntityManager } from 'typeorm';
import { recordLinkedContactsUpdated } from '../events/contact-events';
import { ContactEntity } from './contact.entity';

/** A link table holding contact ids, and the value that selects the rows of interest. */
export interface ContactLink {
  table: 'contact_tags' | 'contact_field_values';
  column: 'tag_id' | 'field_id';
  value: string;
}

/**
 * Moves updatedAt of every contact that has a row in `link`: used before deleting a tag or a
 * field definition, whose removal changes those contacts. Each live one gets contact.updated.
 */
export async function touchLinkedContacts(
  manager: EntityManager,
  tenantId: string,
  link: ContactLink,
  at: Date,
): Promise<void> {
  await manager
    .createQueryBuilder()
    .update(ContactEntity)
    .set({ updatedAt: at })
    .where('tenant_id = :tenantId', { tenantId })
    .andWhere(
      `id IN (SELECT l.contact_id FROM ${link.table} l WHERE l.tenant_id = :tenantId AND l.${link.column} = :linkValue)`,
      { linkValue: link.value },
    )
    .execute();
  await recordLinkedContactsUpdated(manager, tenantId, link, at);
}
