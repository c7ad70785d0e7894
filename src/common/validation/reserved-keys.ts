/**
 * Object keys a request body cannot carry: Nest's ValidationPipe deletes them anywhere in a body
 * to stop prototype pollution. Bodies holding them are refused (ProblemValidationPipe), and no
 * custom field gets one as its key.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);
