import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { GRAMS_TABLE, intersectGramsStatement } from './search-index.sql';
import { GramRange, digitRangesOfTerm, gramRangesOfTerm } from './search-grams';

// At most this many of a long term's grams are probed for their rarity (first, last, between).
const MAX_PROBES = 12;
const MAX_DIGIT_PROBES = 4;
// Every gram is counted up to the first of these bounds (a very rare gram settles it there); on
// MySQL/MariaDB the database's estimates rank the rest, elsewhere they are counted again up to
// the next bound while none is below it. A term matching a few contacts among millions has a
// gram of a few hundred or thousand postings (the bench's rare terms: 1,000-1,307 at 1M).
const PROBE_BOUNDS = [64, 2048];
// The rarest grams intersected before the exact check.
const MAX_INTERSECTED = 3;
const KEYS_PER_STATEMENT = 2000;

/** What the index says of a term: its matches, or that it is too common to list them. */
export type TermCandidates = { ids: string[] } | { tooCommon: true; rarestGram?: number };

function spread<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  return Array.from(
    { length: count },
    (_, i) => items[Math.round((i * (items.length - 1)) / (count - 1))],
  );
}

/**
 * The read side of the substring index: the contacts whose search text contains a term, found
 * with bounded work. Each probed gram is counted up to a bound; the rarest ones are intersected
 * and the survivors pass the exact check that decides a search (INSTR on search_text).
 */
@Injectable()
export class ContactSearchPlanner {
  private readonly limit: number;
  /** Postings read per gram at most: a gram with more is "too common to help". */
  private readonly probeBound: number;
  private readonly mysql: boolean;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.limit = config.listCandidateLimit;
    this.probeBound = Math.max(1000, 5 * config.listCandidateLimit);
    this.mysql = dataSource.options.type === 'mysql';
  }

  /**
   * Ids of the contacts (any state but deleted) whose text contains `term`, or `tooCommon` when
   * the term is too common for the index: every probed gram has more postings than the bound, or
   * more than LIST_CANDIDATE_LIMIT contacts match. Then `rarestGram` is the term's rarest exact
   * gram, whose postings a walk in key order can read instead (creation-order-walk.ts).
   */
  async candidates(tenantId: string, term: string): Promise<TermCandidates> {
    if (this.limit === 0) return { tooCommon: true };
    // A run of digits is rarer than any 4-gram of it: probe those first, a few at most.
    const digits = spread(digitRangesOfTerm(term), MAX_DIGIT_PROBES);
    const ranges = [...digits, ...spread(gramRangesOfTerm(term), MAX_PROBES - digits.length)];
    if (ranges.length === 0) return { tooCommon: true };
    let sized = await this.postings(tenantId, ranges, PROBE_BOUNDS[0]);
    if (sized[0].size >= PROBE_BOUNDS[0] && this.mysql) {
      sized = await this.estimates(tenantId, ranges);
    } else if (sized[0].size >= PROBE_BOUNDS[0]) {
      for (const bound of [
        ...PROBE_BOUNDS.slice(1).filter((b) => b < this.probeBound),
        this.probeBound,
      ]) {
        sized = await this.postings(tenantId, ranges, bound);
        if (sized[0].size < bound) break;
      }
    }
    const rarest = sized[0].range;
    const tooCommon = {
      tooCommon: true as const,
      rarestGram: rarest.from === rarest.to ? rarest.from : undefined,
    };
    if (sized[0].size >= this.probeBound) return tooCommon;
    const keys = await this.intersect(
      tenantId,
      sized.slice(0, MAX_INTERSECTED).map((s) => s.range),
    );
    // More candidates than the limit: the exact check would read them all to learn the same.
    if (keys.length > this.limit) return tooCommon;
    const ids: string[] = [];
    for (let i = 0; i < keys.length; i += KEYS_PER_STATEMENT) {
      const part = keys.slice(i, i + KEYS_PER_STATEMENT);
      // The exact check of every search (containsTerm in src/database/sql-contains.ts).
      const rows: { id: string }[] = await this.dataSource.query(
        `SELECT c.id AS id FROM contacts c WHERE c.tenant_id = ? AND c.search_key IN (${part.map(() => '?').join(', ')}) AND INSTR(c.search_text, ?) > 0 LIMIT ${this.limit + 1 - ids.length}`,
        [tenantId, ...part, term],
      );
      ids.push(...rows.map((row) => row.id));
      if (ids.length > this.limit) return tooCommon;
    }
    return { ids };
  }

  /**
   * How many postings each range holds, counted up to `bound` (index-only range reads, one
   * statement for all), rarest first.
   */
  private async postings(
    tenantId: string,
    ranges: GramRange[],
    bound: number,
  ): Promise<{ range: GramRange; size: number }[]> {
    const rows: { i: number | string; n: number | string }[] = await this.dataSource.query(
      ranges
        .map(
          (_, i) =>
            `SELECT ${i} AS i, COUNT(*) AS n FROM (SELECT 1 AS one FROM ${GRAMS_TABLE} WHERE tenant_id = ? AND gram BETWEEN ? AND ? LIMIT ${bound}) p${i}`,
        )
        .join(' UNION ALL '),
      ranges.flatMap((range) => [tenantId, range.from, range.to]),
    );
    return rows
      .map((row) => ({ range: ranges[Number(row.i)], size: Number(row.n) }))
      .sort((a, b) => a.size - b.size);
  }

  /**
   * InnoDB's own estimate of each range's postings (EXPLAIN: two index dives per range, exact
   * while a range spans a few pages, within about 2x beyond), rarest first. Counting grams of
   * a thousand postings or more costs more than the intersection it prepares: 10 ms for a
   * rare email fragment's 8 grams at 1M contacts, where the estimates take a fraction of that.
   */
  private async estimates(
    tenantId: string,
    ranges: GramRange[],
  ): Promise<{ range: GramRange; size: number }[]> {
    const rows: { id: number | string | null; rows: number | string | null }[] =
      await this.dataSource.query(
        `EXPLAIN ${ranges
          .map(
            (_, i) =>
              `SELECT ${i} FROM ${GRAMS_TABLE} WHERE tenant_id = ? AND gram BETWEEN ? AND ?`,
          )
          .join(' UNION ALL ')}`,
        ranges.flatMap((range) => [tenantId, range.from, range.to]),
      );
    // One row per SELECT, numbered from 1 in order (a UNION RESULT row has no id).
    return rows
      .filter((row) => row.id !== null)
      .map((row) => ({ range: ranges[Number(row.id) - 1], size: Number(row.rows ?? 0) }))
      .sort((a, b) => a.size - b.size);
  }

  /** Contact keys holding a gram of every range (intersectGramsStatement). */
  private async intersect(tenantId: string, ranges: GramRange[]): Promise<number[]> {
    const { sql, parameters } = intersectGramsStatement(tenantId, ranges);
    const rows: { k: number | string }[] = await this.dataSource.query(sql, parameters);
    return rows.map((row) => Number(row.k));
  }
}
