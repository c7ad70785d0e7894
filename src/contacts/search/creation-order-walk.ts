import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Dialect, dialectOf, straightJoin } from '../../database/sql-dialect';
import { fromSqlTimestamp, sqlTimestamp } from '../../database/sql-timestamp';
import { ContactState } from '../contact.entity';
import { GRAMS_TABLE } from './search-index.sql';
import { KEY_ORDER_SLACK_MS, KeyOrder, readKeyOrder } from './search-key-order';

// Postings read by the first statement; each next one reads four times as many.
const FIRST_CHUNK = 128;
// Postings read at most before the walk gives up and the caller tests contacts in order.
const BUDGET = 8192;

export interface WalkRequest<T extends { createdAt: Date }> {
  tenantId: string;
  state: Extract<ContactState, 'active' | 'archived'>;
  /** The exact check's term, and the gram every match holds. */
  term: string;
  gram: number;
  direction: 'asc' | 'desc';
  /** Every contact of the page was created in [after, before] (the cursor, createdAfter/Before). */
  after?: Date;
  before?: Date;
  limit: number;
  /** The page among these candidates: the caller's exact query (filters, cursor, order). */
  page: (ids: string[]) => Promise<T[]>;
}

interface Posting {
  k: number | string;
  id: string;
  c: Date | string;
  hit: number | string | boolean;
}

/**
 * A page of a common term in createdAt order, from the postings of one of its grams read in
 * key order. Keys follow creation order within a slack (search-key-order.ts), so once the page
 * is full and the walk has reached contacts created more than the slack before its last
 * contact, no contact left unread can belong to the page. Contacts at the head that lack the
 * gram cost nothing, where testing contacts in createdAt order reads every one of them.
 *
 * Returns undefined when it cannot decide within its budget, or when keys handed out before the
 * order held could belong to the page: the caller then tests contacts in createdAt order.
 */
@Injectable()
export class CreationOrderWalk {
  private readonly dialect: Dialect;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.dialect = dialectOf(dataSource.options.type);
  }

  async page<T extends { createdAt: Date }>(request: WalkRequest<T>): Promise<T[] | undefined> {
    const order = await readKeyOrder((sql, p) => this.dataSource.query(sql, p), request.tenantId);
    const desc = request.direction === 'desc';
    const range = desc ? await this.descRange(request, order) : await this.ascRange(request, order);
    if (!range) return undefined;
    let { from } = range;
    const hits: string[] = [];
    // The walked contact created earliest (desc) or latest (asc): what is left is bounded by it.
    let edge = desc ? Infinity : -Infinity;
    let tested = 0;
    for (let chunk = FIRST_CHUNK, walked = 0; walked < BUDGET; chunk *= 4) {
      const rows = await this.postings(request, from, range.stop, chunk);
      walked += rows.length;
      for (const row of rows) {
        const createdAt = fromSqlTimestamp(row.c).getTime();
        edge = desc ? Math.min(edge, createdAt) : Math.max(edge, createdAt);
        if (Number(row.hit) === 1) hits.push(row.id);
      }
      if (rows.length > 0) from = Number(rows[rows.length - 1].k);
      const exhausted = rows.length < chunk;
      /** Whether every contact not walked was created strictly beyond `t` in walk order. */
      const restBeyond = (t: number) =>
        desc
          ? (exhausted || edge + KEY_ORDER_SLACK_MS < t) &&
            (order.unorderedUntil === null || order.unorderedUntil.getTime() < t)
          : exhausted || edge - KEY_ORDER_SLACK_MS > t;
      const bound = desc ? request.after : request.before;
      const pastBound = bound !== undefined && restBeyond(bound.getTime());
      const complete = exhausted && (!desc || order.unorderedUntil === null);
      if (hits.length - tested < request.limit && !exhausted && !pastBound) continue;
      tested = hits.length;
      const page = hits.length > 0 ? await request.page(hits) : [];
      if (page.length === request.limit) {
        if (restBeyond(page[page.length - 1].createdAt.getTime())) return page;
      } else if (complete || pastBound) {
        return page;
      }
      if (exhausted) return undefined;
    }
    return undefined;
  }

  /**
   * Desc: the keys to walk, from an exclusive upper key down to `stop`. Every contact with a
   * key above that of one created more than the slack after `before` was created after `before`.
   */
  private async descRange(request: WalkRequest<{ createdAt: Date }>, order: KeyOrder) {
    let from = Number.MAX_SAFE_INTEGER;
    if (request.before) {
      const key = await this.keyOfFirstCreated(
        request,
        '>',
        new Date(request.before.getTime() + KEY_ORDER_SLACK_MS),
      );
      if (key !== undefined) from = key;
    }
    return { from, stop: order.orderedFrom };
  }

  /**
   * Asc: the keys to walk, from an exclusive lower key up. Keys below the ordered ones are out
   * of order among themselves, so they must all precede the page (created before `after`).
   */
  private async ascRange(request: WalkRequest<{ createdAt: Date }>, order: KeyOrder) {
    const { after } = request;
    if (order.unorderedUntil !== null && !(after && order.unorderedUntil < after)) return undefined;
    let from = order.orderedFrom - 1;
    if (after) {
      const key = await this.keyOfFirstCreated(
        request,
        '<',
        new Date(after.getTime() - KEY_ORDER_SLACK_MS),
      );
      if (key !== undefined) from = Math.max(from, key);
    }
    return { from, stop: undefined };
  }

  /** The key of the contact created first after (`>`) or last before (`<`) `at`, by the sort index. */
  private async keyOfFirstCreated(
    request: WalkRequest<{ createdAt: Date }>,
    side: '>' | '<',
    at: Date,
  ): Promise<number | undefined> {
    const direction = side === '>' ? 'ASC' : 'DESC';
    // MariaDB otherwise reads the (tenant, state) prefix of the index from its start and filters
    // on created_at: 180 ms for a bound a million contacts in, against a range seek.
    const force = this.dialect === 'mysql' ? ' FORCE INDEX (ix_contacts_created)' : '';
    const [row] = await this.dataSource.query<{ k: number | string | null }[]>(
      `SELECT search_key AS k FROM contacts${force} WHERE tenant_id = ? AND state = ? AND created_at ${side} ?
       ORDER BY created_at ${direction}, id ${direction} LIMIT 1`,
      [request.tenantId, request.state, sqlTimestamp(at)],
    );
    return row?.k === null || row?.k === undefined ? undefined : Number(row.k);
  }

  /** The next `limit` postings of the gram beyond `from` in walk order, each with its contact. */
  private postings(
    request: WalkRequest<{ createdAt: Date }>,
    from: number,
    stop: number | undefined,
    limit: number,
  ): Promise<Posting[]> {
    const desc = request.direction === 'desc';
    const parameters: unknown[] = [request.term, request.tenantId, request.gram, from];
    if (stop !== undefined) parameters.push(stop);
    // The postings drive the join in key order; each one looks up its contact.
    return this.dataSource.query(
      `SELECT g.contact_key AS k, c.id AS id, c.created_at AS c,
              CASE WHEN INSTR(c.search_text, ?) > 0 THEN 1 ELSE 0 END AS hit
       FROM ${GRAMS_TABLE} g ${straightJoin(this.dialect)} contacts c
         ON c.tenant_id = g.tenant_id AND c.search_key = g.contact_key
       WHERE g.tenant_id = ? AND g.gram = ? AND g.contact_key ${desc ? '<' : '>'} ?${stop === undefined ? '' : ' AND g.contact_key >= ?'}
       ORDER BY g.contact_key ${desc ? 'DESC' : 'ASC'} LIMIT ${limit}`,
      parameters,
    );
  }
}
