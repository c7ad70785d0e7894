import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Normalizes a phone number to E.164: spaces, dashes, dots and parentheses are stripped, then
 * the number must be a valid international number. Returns null when it is not.
 */
export function normalizePhoneNumber(input: string): string | null {
  const compact = input.trim().replace(/[\s\-.()]/g, '');
  if (!/^\+[1-9]\d{1,14}$/.test(compact)) return null;
  const parsed = parsePhoneNumberFromString(compact);
  return parsed?.isValid() ? parsed.number : null;
}

export const INVALID_PHONE_MESSAGE = 'must be a valid E.164 phone number';
