import { CustomFieldEntity } from './custom-field.entity';

/** When predefined fields "were created": they exist in every tenant from the start. */
const PREDEFINED_AT = new Date('2026-01-01T00:00:00.000Z');

function predefined(id: string, key: string, name: string): Omit<CustomFieldEntity, 'tenantId'> {
  return {
    entityType: 'contact',
    id,
    key,
    name,
    nameKey: name.toLowerCase(),
    type: 'text',
    createdAt: PREDEFINED_AT,
    createdBy: 'system',
    predefined: true,
  };
}

/**
 * Contact fields every tenant has. They live in code, not in rows: nothing to seed per tenant,
 * and they can never be renamed, retyped or deleted.
 */
export const PREDEFINED_CONTACT_FIELDS = [
  predefined('cf_email', 'email', 'Email'),
  predefined('cf_phone', 'phone', 'Phone'),
] as const;

export const EMAIL_FIELD_ID = 'cf_email';
export const PHONE_FIELD_ID = 'cf_phone';

export function predefinedFieldsFor(tenantId: string, entityType: string): CustomFieldEntity[] {
  if (entityType !== 'contact') return [];
  return PREDEFINED_CONTACT_FIELDS.map((field) =>
    Object.assign(new CustomFieldEntity(), { ...field, tenantId }),
  );
}
