import { EMAIL_FIELD_ID, PHONE_FIELD_ID } from '../custom-fields/predefined-fields';

// A separator no search term contains, so a match never spans two parts.
const SEPARATOR = '\u0001';
const MAX_LENGTH = 1400;

/**
 * What `search` matches besides tag names: name, the cf_email and cf_phone values and identity
 * phone numbers, lower-cased into one column so a search is one predicate per row.
 */
export function contactSearchText(
  name: string | null,
  fieldValues: ReadonlyMap<string, string>,
  identityAddresses: readonly string[],
): string {
  return [
    name,
    fieldValues.get(EMAIL_FIELD_ID),
    fieldValues.get(PHONE_FIELD_ID),
    ...identityAddresses,
  ]
    .filter((part): part is string => !!part)
    .map((part) => part.toLowerCase())
    .join(SEPARATOR)
    .slice(0, MAX_LENGTH);
}

export function nameSortOf(name: string | null): string {
  return (name ?? '').toLowerCase().slice(0, 255);
}
