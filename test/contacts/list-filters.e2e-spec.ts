import { describeListFilters } from './list-filter-cases';

describeListFilters('GET /v1/contacts filters');
