import { SetMetadata } from '@nestjs/common';
import type { Request } from 'express';

export const SEARCH_BUDGET = 'contacts-api:search-budget';

export type SearchBudgetCondition = (request: Request) => boolean;

/**
 * Counts a route (or, with `when`, some of its requests) against the tenant's smaller search
 * budget as well (RATE_LIMIT_SEARCH_PER_MINUTE, CONTRACT §14): search lists and import uploads.
 */
export const SearchBudget = (when: SearchBudgetCondition = () => true) =>
  SetMetadata(SEARCH_BUDGET, when);
