import { Transform } from 'class-transformer';

/** Trims string input; other types pass through so validators can reject them. */
export const Trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/**
 * Keeps a free-form object exactly as the JSON body had it. class-transformer copies nested
 * plain objects key by key and skips keys such as `constructor` or `toString`, which are also
 * the keys of custom fields named "Constructor" or "To string".
 */
export const KeepAsParsed = () =>
  Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => obj[key]);
