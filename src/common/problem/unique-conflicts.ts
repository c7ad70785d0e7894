import { isUniqueViolation } from '../../database/driver-errors';
import { ProblemInit } from './problem.exception';

interface UniqueKey {
  /** The index name MySQL/MariaDB report ("for key 'tags.uq_tags_name'"). */
  index: string;
  /** The columns SQLite reports ("UNIQUE constraint failed: tags.tenant_id, tags.name_key"). */
  columns: string;
  code: string;
  detail: string;
}

/** Every unique key of the schema (migrations/) and the conflict it means. */
const UNIQUE_KEYS: UniqueKey[] = [
  {
    index: 'uq_tags_name',
    columns: 'tags.tenant_id, tags.name_key',
    code: 'TAG_NAME_TAKEN',
    detail: 'A tag with this name already exists.',
  },
  {
    index: 'uq_custom_fields_name',
    columns: 'custom_fields.tenant_id, custom_fields.entity_type, custom_fields.name_key',
    code: 'CUSTOM_FIELD_NAME_TAKEN',
    detail: 'A custom field with this name already exists.',
  },
  {
    index: 'uq_custom_fields_key',
    columns: 'custom_fields.tenant_id, custom_fields.entity_type, custom_fields.field_key',
    code: 'CUSTOM_FIELD_NAME_TAKEN',
    detail: 'A custom field with this key already exists.',
  },
  {
    index: 'uq_identities_live_address',
    columns:
      'contact_identities.tenant_id, contact_identities.channel, contact_identities.live_address',
    code: 'PHONE_ALREADY_EXISTS',
    detail: 'Another live contact already has this phone.',
  },
];

function messageOf(error: unknown): string {
  const driverError = (error as { driverError?: { sqlMessage?: string; message?: string } })
    .driverError;
  return driverError?.sqlMessage ?? driverError?.message ?? (error as Error).message ?? '';
}

/**
 * The 409 a unique-key violation stands for, when code that checks first still lost a race (or
 * did not check). The last line of defence: never a 500 for a duplicate. Undefined otherwise.
 */
export function uniqueConflictProblem(error: unknown): ProblemInit | undefined {
  if (!isUniqueViolation(error)) return undefined;
  const message = messageOf(error);
  const key = UNIQUE_KEYS.find(
    (candidate) =>
      new RegExp(`for key '(?:\\w+\\.)?${candidate.index}'`).test(message) ||
      message.endsWith(`constraint failed: ${candidate.columns}`),
  );
  return {
    status: 409,
    code: key?.code ?? 'CONFLICT',
    title: 'Conflict',
    detail: key?.detail ?? 'The request conflicts with a concurrent change; retry it.',
  };
}
