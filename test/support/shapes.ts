/** Shapes shared by the module specs. */

/** RFC 3339 UTC with milliseconds, as every timestamp of the API is written. */
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A ULID: 26 Crockford base-32 characters (no I, L, O, U). */
export const ULID = '[0-9A-HJKMNP-TV-Z]{26}';

export const TAG_ID = new RegExp(`^tag_${ULID}$`);

/** A custom-field id made from a name with no usable character: `cf_` + a lower-case ULID. */
export const ULID_FIELD_ID = new RegExp(`^cf_${ULID.toLowerCase()}$`);

/** Anything that would reveal internals in an error body: stack frames, file paths, SQL. */
export const INTERNALS =
  /(\bat \S+ \(|node_modules|\.(?:js|ts):\d+|\b(?:SELECT|INSERT INTO|DELETE FROM)\b|\bUPDATE \S+ SET\b|QueryFailedError|SQLITE_|\bER_[A-Z_]+)/;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The distinct fields a validation problem's `errors` name, sorted. */
export function errorFields(problem: Record<string, any>): string[] {
  const errors = (problem.errors ?? []) as { field: string }[];
  return [...new Set(errors.map((error) => error.field))].sort();
}
