import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { fromSqlTimestamp } from '../database/sql-timestamp';
import { ContactEvent, ContactEventType, eventId } from './contact-events';

const SEQUENCER = 'contact_events';

export interface SequencerState {
  /** The last position handed out: every event at or below it is committed and positioned. */
  lastPosition: number;
  /** Events at or below this position were deleted by the retention sweep. */
  sweptThrough: number;
}

interface EventRow {
  seq: number | string;
  contact_id: string;
  type: ContactEventType;
  occurred_at: Date | string;
  position: number | string;
}

export function toContactEvent(row: EventRow): ContactEvent {
  const occurredAt = fromSqlTimestamp(row.occurred_at);
  return {
    id: eventId(row.seq, occurredAt),
    type: row.type,
    contactId: row.contact_id,
    occurredAt: occurredAt.toISOString(),
  };
}

/** Ascending `seqs` as maximal runs of consecutive numbers. */
export function consecutiveRuns(seqs: readonly number[]): { first: number; last: number }[] {
  const runs: { first: number; last: number }[] = [];
  for (const seq of seqs) {
    const run = runs.at(-1);
    if (run && seq === run.last + 1) run.last = seq;
    else runs.push({ first: seq, last: seq });
  }
  return runs;
}

/** Reads and housekeeping of the outbox table; writes into it are in contact-events.ts. */
@Injectable()
export class EventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get forUpdate(): string {
    // SQLite has one writer at a time (UnitOfWork queues them): no row lock needed.
    return this.dataSource.options.type === 'mysql' ? ' FOR UPDATE' : '';
  }

  async sequencerState(manager: EntityManager, lock = false): Promise<SequencerState> {
    const [row] = await manager.query<{ last_position: number; swept_through: number }[]>(
      `SELECT last_position, swept_through FROM event_sequencer WHERE name = ?${lock ? this.forUpdate : ''}`,
      [SEQUENCER],
    );
    return { lastPosition: Number(row.last_position), sweptThrough: Number(row.swept_through) };
  }

  /** A tenant's positioned events after `after` up to `head`, in position order. */
  async page(
    manager: EntityManager,
    tenantId: string,
    after: number,
    head: number,
    limit: number,
  ): Promise<{ events: ContactEvent[]; lastPosition: number | undefined }> {
    const rows = await manager.query<EventRow[]>(
      `SELECT seq, contact_id, type, occurred_at, position FROM contact_events
       WHERE tenant_id = ? AND position > ? AND position <= ? ORDER BY position LIMIT ${limit}`,
      [tenantId, after, head],
    );
    const last = rows.at(-1);
    return { events: rows.map(toContactEvent), lastPosition: last && Number(last.position) };
  }

  /** Whether any committed event still waits for a position (a cheap read outside a transaction). */
  async hasBacklog(): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      'SELECT seq FROM contact_events WHERE position IS NULL LIMIT 1',
    );
    return rows.length > 0;
  }

  /** Locks the sequencer row, then returns the oldest unpositioned events visible (committed). */
  async lockBacklog(manager: EntityManager, limit: number) {
    const state = await this.sequencerState(manager, true);
    const rows = await manager.query<{ seq: number | string }[]>(
      `SELECT seq FROM contact_events WHERE position IS NULL ORDER BY seq LIMIT ${limit}`,
    );
    return { state, seqs: rows.map((row) => Number(row.seq)) };
  }

  /**
   * Gives `seqs` (ascending), in order, the positions after `lastPosition`. A run of
   * consecutive seqs (an import batch's events are one) takes `seq + offset` in one CASE arm:
   * a CASE of one arm per seq is scanned arm by arm for every row, quadratic in the batch. The
   * rows are still named one by one (IN), so the UPDATE locks just them, no gap a writer inserts in.
   */
  async assignPositions(manager: EntityManager, seqs: number[], lastPosition: number) {
    const runs = consecutiveRuns(seqs);
    const arms = runs.map(() => 'WHEN seq BETWEEN ? AND ? THEN seq + ?').join(' ');
    let position = lastPosition + 1;
    const armParams = runs.flatMap(({ first, last }) => {
      const offset = position - first;
      position += last - first + 1;
      return [first, last, offset];
    });
    await manager.query(
      `UPDATE contact_events SET position = CASE ${arms} END WHERE seq IN (${seqs.map(() => '?').join(', ')})`,
      [...armParams, ...seqs],
    );
    await manager.query('UPDATE event_sequencer SET last_position = ? WHERE name = ?', [
      lastPosition + seqs.length,
      SEQUENCER,
    ]);
  }

  /**
   * Deletes the oldest positioned events older than `before`, at most `limit`, and moves the
   * swept watermark. Returns how many were deleted.
   */
  async sweep(manager: EntityManager, before: Date, limit: number): Promise<number> {
    const { sweptThrough } = await this.sequencerState(manager, true);
    const rows = await manager.query<{ position: number | string; occurred_at: Date | string }[]>(
      `SELECT position, occurred_at FROM contact_events
       WHERE position > ? ORDER BY position LIMIT ${limit}`,
      [sweptThrough],
    );
    let through = sweptThrough;
    let count = 0;
    // Only a prefix in position order: the watermark then says exactly what is gone.
    for (const row of rows) {
      if (fromSqlTimestamp(row.occurred_at) >= before) break;
      through = Number(row.position);
      count++;
    }
    if (count === 0) return 0;
    await manager.query('DELETE FROM contact_events WHERE position > ? AND position <= ?', [
      sweptThrough,
      through,
    ]);
    await manager.query('UPDATE event_sequencer SET swept_through = ? WHERE name = ?', [
      through,
      SEQUENCER,
    ]);
    return count;
  }

  async findBySeq(manager: EntityManager, seq: number) {
    const [row] = await manager.query<EventRow[]>(
      'SELECT seq, contact_id, type, occurred_at, position FROM contact_events WHERE seq = ?',
      [seq],
    );
    return row && { event: toContactEvent(row), occurredAt: fromSqlTimestamp(row.occurred_at) };
  }
}
