import { describeListFiltersOnServer } from './list-filter-cases';

/**
 * With LIST_CANDIDATE_LIMIT=0 every filter is treated as dense, so pages come from walking an
 * index in sort order (the sort index with per-contact probes, or in createdAt order the
 * filter's own index) instead of an id lookup.
 */
describeListFiltersOnServer('dense-match path', { LIST_CANDIDATE_LIMIT: '0' });
