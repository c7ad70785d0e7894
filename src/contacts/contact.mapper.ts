import { keyOf } from '../custom-fields/field-identity';
import { ContactAggregate } from './contact.entity';
import { ContactDto } from './dto/contact.dto';

export function mapContact({
  contact,
  identities,
  tagIds,
  fieldValues,
}: ContactAggregate): ContactDto {
  return {
    id: contact.id,
    tenantId: contact.tenantId,
    name: contact.name,
    createdAt: contact.createdAt.toISOString(),
    updatedAt: contact.updatedAt.toISOString(),
    identities: identities.map((identity) => ({
      id: identity.id,
      channel: identity.channel,
      metadata: { phoneNumber: identity.address },
    })),
    tagIds,
    customFields: Object.fromEntries(
      [...fieldValues].map(([fieldId, value]) => [keyOf(fieldId), value]),
    ),
    archivedAt: contact.archivedAt?.toISOString() ?? null,
  };
}
