import { isEmail } from 'class-validator';
import { INVALID_PHONE_MESSAGE, normalizePhoneNumber } from '../common/phone-number';
import { CustomFieldEntity } from './custom-field.entity';
import { EMAIL_FIELD_ID, PHONE_FIELD_ID } from './predefined-fields';

export const MAX_TEXT_VALUE_LENGTH = 1000;

/** A real calendar date written YYYY-MM-DD (2026-02-30 is not one). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

export type FieldValueCheck = { ok: true; value: string } | { ok: false; message: string };

/** Validates one value for a field and returns it as stored (phones in E.164). */
export function checkFieldValue(field: CustomFieldEntity, raw: string): FieldValueCheck {
  const value = raw.trim();
  if (field.id === PHONE_FIELD_ID) {
    const phone = normalizePhoneNumber(value);
    return phone ? { ok: true, value: phone } : { ok: false, message: INVALID_PHONE_MESSAGE };
  }
  if (field.id === EMAIL_FIELD_ID && !isEmail(value)) {
    return { ok: false, message: 'must be an email address' };
  }
  if (field.type === 'date') {
    return isCalendarDate(value)
      ? { ok: true, value }
      : { ok: false, message: 'must be a calendar date (YYYY-MM-DD)' };
  }
  if (value.length > MAX_TEXT_VALUE_LENGTH) {
    return { ok: false, message: `must be at most ${MAX_TEXT_VALUE_LENGTH} characters` };
  }
  return { ok: true, value };
}
