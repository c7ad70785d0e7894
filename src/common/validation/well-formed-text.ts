/** A NUL, or a UTF-16 surrogate without its partner (no character, and no valid UTF-8 either). */
const ILL_FORMED = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string is not acceptable text (CONTRACT §3), or undefined when it is. */
export function illFormedText(value: string): string | undefined {
  const match = ILL_FORMED.exec(value);
  if (!match) return undefined;
  return match[0] === '\0'
    ? 'must not contain NUL characters'
    : 'must not contain unpaired UTF-16 surrogates';
}

/**
 * Every ill-formed string in a parsed JSON value (object keys included), as `{ field, message }`
 * with a dotted path. Walks with its own stack: depth is bounded earlier (body-shape.ts), but a
 * query object is walked too.
 */
export function illFormedStrings(value: unknown, root = ''): { field: string; message: string }[] {
  const found: { field: string; message: string }[] = [];
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      const message = illFormedText(current);
      if (message) found.push({ field: path || '(body)', message });
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    for (const [key, child] of Object.entries(current)) {
      const childPath = path ? `${path}.${key}` : key;
      const keyMessage = illFormedText(key);
      // The key itself is the offender: name it by a printable form.
      if (keyMessage) found.push({ field: printable(childPath), message: `key ${keyMessage}` });
      else stack.push([child, childPath]);
    }
  }
  return found
    .map((error) => ({ ...error, field: printable(error.field) }))
    .sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
}

/** A path safe to echo in JSON: NUL and lone surrogates shown as \uXXXX escapes. */
export function printable(path: string): string {
  return path.replace(
    /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
