/** A write that moves a contact's updatedAt moves its version (the ETag) too, in SQL. */
export function bumpVersionWith(changes: { updatedAt?: Date }): { version?: () => string } {
  return changes.updatedAt ? { version: () => 'version + 1' } : {};
}
