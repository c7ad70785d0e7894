import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ListOrder, ListRange } from '../contact-keyset';
import { ContactEntity, ContactState } from '../contact.entity';
import { PageCursor } from '../page-token';
import { ContactSearchPlanner } from './contact-search.planner';
import { CreationOrderWalk } from './creation-order-walk';
import { SearchWindow } from './search-window';

/** What the search path reads of a list's filter: the state, the search, the creation bounds. */
export interface SearchFilter {
  state: Extract<ContactState, 'active' | 'archived'>;
  search: { term: string; tagIds: string[] };
  createdAfter?: Date;
  createdBefore?: Date;
}

/** `limit` contacts after the cursor among those the filter, its search included, matches. */
export interface SearchPageRequest {
  tenantId: string;
  filter: SearchFilter;
  order: ListOrder;
  cursor: PageCursor | undefined;
  limit: number;
}

/**
 * The list's own reads, which hold the SQL of every filter (src/contacts/contact-list-reader.ts):
 * the search path picks the candidates and the ranges, these test the contacts.
 */
export interface ListReads {
  /** Up to `limit` contacts of the filtered list in `range`, in list order. */
  page(range: ListRange, limit: number): Promise<ContactEntity[]>;
  /** The contacts holding any of the tags, or null when there are more than the limit. */
  tagged(tagIds: string[]): Promise<string[] | null>;
}

/**
 * A list page with a search. A search asks the substring index first: a term it resolves to
 * few contacts turns the page into an id lookup. A term too common for the index is tested on
 * the next few thousand contacts in sort order, which fills the page for a common term, and
 * then walks on from there.
 */
@Injectable()
export class ContactSearchPager {
  private readonly candidateLimit: number;
  private readonly searchWindow: number;

  constructor(
    private readonly searchPlanner: ContactSearchPlanner,
    private readonly window: SearchWindow,
    private readonly walk: CreationOrderWalk,
    config: AppConfig,
  ) {
    this.candidateLimit = config.listCandidateLimit;
    // Twice the candidate limit: a term in 2% of the contacts fills a page of 50 from it.
    this.searchWindow = 2 * config.listCandidateLimit;
  }

  async page(request: SearchPageRequest, reads: ListReads): Promise<ContactEntity[]> {
    const { tenantId, filter, order, cursor, limit } = request;
    if (this.searchWindow === 0) return reads.page({ after: cursor }, limit);
    const matches = await this.searchCandidates(tenantId, filter.search, reads);
    if (Array.isArray(matches)) return reads.page({ after: cursor, ids: matches }, limit);
    const walked = await this.walkCommonTerm(request, matches, reads);
    if (walked) return walked;
    const windowEnd = await this.window.keyAt(
      tenantId,
      filter.state,
      order,
      cursor,
      this.searchWindow,
    );
    const head = await reads.page({ after: cursor, upTo: windowEnd }, limit);
    if (head.length === limit || !windowEnd) return head;
    // Too many matches to list, too few in the window: walk on from where the window ended.
    const rest = await reads.page({ after: windowEnd }, limit - head.length);
    return [...head, ...rest];
  }

  /**
   * Contacts whose text or tag names contain the term, or what the index says of a term with
   * too many: the gram a walk in key order can read (none when a tag name matches as well).
   */
  private async searchCandidates(
    tenantId: string,
    search: SearchFilter['search'],
    reads: ListReads,
  ): Promise<string[] | { rarestGram?: number }> {
    const byText = await this.searchPlanner.candidates(tenantId, search.term);
    if ('tooCommon' in byText) return search.tagIds.length > 0 ? {} : byText;
    const byTag = search.tagIds.length > 0 ? await reads.tagged(search.tagIds) : [];
    if (!byTag || byText.ids.length + byTag.length > this.candidateLimit) return {};
    return [...new Set([...byText.ids, ...byTag])];
  }

  /** A common term's page in createdAt order from its gram's postings, when that decides it. */
  private walkCommonTerm(
    { tenantId, filter, order, cursor, limit }: SearchPageRequest,
    { rarestGram }: { rarestGram?: number },
    reads: ListReads,
  ): Promise<ContactEntity[] | undefined> {
    if (rarestGram === undefined || order.field !== 'createdAt') {
      return Promise.resolve(undefined);
    }
    const at = cursor && new Date(cursor.sortValue);
    const earliest = (a?: Date, b?: Date) => (a && b ? (a < b ? a : b) : (a ?? b));
    const latest = (a?: Date, b?: Date) => (a && b ? (a > b ? a : b) : (a ?? b));
    const desc = order.direction === 'desc';
    return this.walk.page({
      tenantId,
      state: filter.state,
      term: filter.search.term,
      gram: rarestGram,
      direction: order.direction,
      after: desc ? filter.createdAfter : latest(at, filter.createdAfter),
      before: desc ? earliest(at, filter.createdBefore) : filter.createdBefore,
      limit,
      page: (ids) => reads.page({ after: cursor, ids }, limit),
    });
  }
}
