import type { EntityManager } from 'typeorm';
import { encodeTime } from 'ulid';
import { sqlTimestamp } from '../database/sql-timestamp';

export const CONTACT_EVENT_TYPES = [
  'contact.created',
  'contact.updated',
  'contact.archived',
  'contact.unarchived',
  'contact.deleted',
] as const;
export type ContactEventType = (typeof CONTACT_EVENT_TYPES)[number];

/** One change to one contact, as a write path reports it. */
export interface ContactChange {
  contactId: string;
  type: ContactEventType;
}

/** An event as the feed and webhooks show it (CONTRACT §13). */
export interface ContactEvent {
  id: string;
  type: ContactEventType;
  contactId: string;
  occurredAt: string;
}

// Keeps each statement under both databases' placeholder limits.
const ROWS_PER_STATEMENT = 2000;

/** EVENT_OUTBOX=off (benchmark only): set once at start by EventsModule. */
let outboxEnabled = true;
export function setOutboxEnabled(enabled: boolean): void {
  outboxEnabled = enabled;
}

/**
 * The outbox: appends one event per change, in the caller's transaction, so an event exists
 * exactly when its change commits. Rows are written without a position; the sequencer gives
 * them one once committed (see event-sequencer.ts for why).
 */
export async function recordContactEvents(
  manager: EntityManager,
  tenantId: string,
  changes: readonly ContactChange[],
  at: Date = new Date(),
): Promise<void> {
  if (!outboxEnabled) return;
  const occurredAt = sqlTimestamp(at);
  for (let i = 0; i < changes.length; i += ROWS_PER_STATEMENT) {
    const part = changes.slice(i, i + ROWS_PER_STATEMENT);
    await manager.query(
      `INSERT INTO contact_events (tenant_id, contact_id, type, occurred_at) VALUES ${part
        .map(() => '(?, ?, ?, ?)')
        .join(', ')}`,
      part.flatMap((change) => [tenantId, change.contactId, change.type, occurredAt]),
    );
  }
}

/**
 * `contact.updated` for every live contact with a row in `linkTable` matching `where`: one
 * INSERT … SELECT, however many contacts a tag or field deletion changes.
 */
export async function recordLinkedContactsUpdated(
  manager: EntityManager,
  tenantId: string,
  link: { table: string; column: string; value: string },
  at: Date,
): Promise<void> {
  if (!outboxEnabled) return;
  await manager.query(
    `INSERT INTO contact_events (tenant_id, contact_id, type, occurred_at)
     SELECT c.tenant_id, c.id, 'contact.updated', ? FROM contacts c
     WHERE c.tenant_id = ? AND c.state <> 'deleted' AND c.id IN (
       SELECT l.contact_id FROM ${link.table} l WHERE l.tenant_id = ? AND l.${link.column} = ?)`,
    [sqlTimestamp(at), tenantId, tenantId, link.value],
  );
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * `evt_` + a ULID made of the event's time and its outbox sequence number instead of random
 * bits: unique and stable, and derived, so INSERT … SELECT needs no id from the application.
 */
export function eventId(seq: number | string, occurredAt: Date): string {
  let rest = BigInt(seq);
  let tail = '';
  for (let i = 0; i < 16; i++) {
    tail = CROCKFORD[Number(rest % 32n)] + tail;
    rest /= 32n;
  }
  return `evt_${encodeTime(occurredAt.getTime(), 10)}${tail}`;
}
