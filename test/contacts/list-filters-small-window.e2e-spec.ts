import { describeListFiltersOnServer } from './list-filter-cases';

/**
 * With LIST_CANDIDATE_LIMIT=2 the search window is 4 contacts: a search goes past its window,
 * finds most terms too common for an id lookup, and walks on from the end of the window, as a
 * search over a large tenant does.
 */
describeListFiltersOnServer('search past its window', { LIST_CANDIDATE_LIMIT: '2' });
