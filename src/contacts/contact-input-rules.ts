import { Injectable } from '@nestjs/common';
import { INVALID_PHONE_MESSAGE, normalizePhoneNumber } from '../common/phone-number';
import { FieldError } from '../common/problem/problem.exception';
import { BodyRules } from '../common/validation/body-rules';
import { illFormedText } from '../common/validation/well-formed-text';
import { CustomFieldEntity } from '../custom-fields/custom-field.entity';
import { CustomFieldsService } from '../custom-fields/custom-fields.service';
import { checkFieldValue } from '../custom-fields/field-value-rules';

export interface ContactInput {
  name?: string | null;
  phone?: string | null;
  customFields?: Record<string, unknown>;
}

export interface CheckedContactInput {
  errors: FieldError[];
  /** Trimmed; null when absent or blank. */
  name: string | null;
  /** E.164; null when absent, blank or invalid. */
  phone: string | null;
  /** field id → stored value */
  values: Map<string, string>;
}

/** A trimmed name, or null for absent and blank names. */
export function cleanName(name: string | null | undefined): string | null {
  const trimmed = name?.trim();
  return trimmed ? trimmed : null;
}

/** Validates one `customFields` entry; `value` undefined means "unset". */
export function checkCustomFieldValue(
  fields: CustomFieldEntity[],
  reference: string,
  raw: unknown,
): { fieldId: string; value: string | undefined } | { error: FieldError } {
  const field = CustomFieldsService.byReference(fields, reference);
  const path = `customFields.${reference}`;
  if (!field) return { error: { field: path, message: 'is not a contact custom field' } };
  if (raw === null || raw === undefined) return { fieldId: field.id, value: undefined };
  if (typeof raw !== 'string') return { error: { field: path, message: 'must be a string' } };
  if (raw.trim() === '') return { fieldId: field.id, value: undefined };
  const check = checkFieldValue(field, raw);
  return check.ok
    ? { fieldId: field.id, value: check.value }
    : { error: { field: path, message: check.message } };
}

/** The rules of a contact's create body beyond its DTO: phone numbers and the tenant's fields. */
@Injectable()
export class ContactInputRules implements BodyRules {
  constructor(private readonly fieldDefinitions: CustomFieldsService) {}

  async check(tenantId: string, input: ContactInput): Promise<CheckedContactInput> {
    const errors: FieldError[] = [];
    const name = cleanName(input.name);
    let phone: string | null = null;
    if (input.phone?.trim()) {
      phone = normalizePhoneNumber(input.phone);
      if (!phone) errors.push({ field: 'phone', message: INVALID_PHONE_MESSAGE });
    }
    const values = new Map<string, string>();
    if (input.customFields && Object.keys(input.customFields).length > 0) {
      const fields = await this.fieldDefinitions.list(tenantId, 'contact');
      for (const [reference, raw] of Object.entries(input.customFields)) {
        const outcome = checkCustomFieldValue(fields, reference, raw);
        if ('error' in outcome) errors.push(outcome.error);
        else if (outcome.value !== undefined) values.set(outcome.fieldId, outcome.value);
      }
    }
    return { errors, name, phone, values };
  }

  /** The same rules on a body its DTO refused: each member only when it has the right type. */
  async fieldErrors(tenantId: string, body: Record<string, unknown>): Promise<FieldError[]> {
    const { phone, customFields } = body;
    // Ill-formed text is already named by the pipe (and trips validators such as isEmail).
    const text = (value: unknown) => typeof value === 'string' && !illFormedText(value);
    const entries =
      typeof customFields === 'object' && customFields !== null && !Array.isArray(customFields)
        ? Object.entries(customFields).filter(
            ([key, value]) => text(key) && (text(value) || typeof value !== 'string'),
          )
        : [];
    const checked = await this.check(tenantId, {
      phone: text(phone) ? (phone as string) : undefined,
      customFields: Object.fromEntries(entries),
    });
    return checked.errors;
  }
}
