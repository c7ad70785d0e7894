import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerRequest } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import type { Principal } from '../auth/access-policy';
import { ProblemException } from '../common/problem/problem.exception';
import { SEARCH_BUDGET, SearchBudgetCondition } from './search-budget';

export const DEFAULT_BUDGET = 'default';
export const SEARCH_BUDGET_NAME = 'search';

type AuthenticatedRequest = Request & { user?: Principal };

/**
 * Per-tenant budgets (CONTRACT §14) on @nestjs/throttler. Registered after the AccessGuard, so
 * it sees the caller: requests without one (health, refused tokens) are never counted. Sends the
 * IETF RateLimit-Policy / RateLimit fields (draft-ietf-httpapi-ratelimit-headers) and answers
 * 429 RATE_LIMITED with Retry-After.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return !context.switchToHttp().getRequest<AuthenticatedRequest>().user;
  }

  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    return (request.user as Principal).tenantId;
  }

  /** One budget per tenant across every route (the default key is per route). */
  protected override generateKey(_context: ExecutionContext, tenantId: string, name: string) {
    return `${name}:${tenantId}`;
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration } = props;
    const name = throttler.name ?? DEFAULT_BUDGET;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    if (name === SEARCH_BUDGET_NAME) {
      const when = this.reflector.get<SearchBudgetCondition>(SEARCH_BUDGET, context.getHandler());
      if (!when?.(request)) return true;
    }
    const key = props.generateKey(context, await props.getTracker(request, context), name);
    const counted = await this.storageService.increment(key, ttl, limit, blockDuration, name);
    const window = Math.round(ttl / 1000);
    const remaining = Math.max(0, limit - counted.totalHits);
    appendField(response, 'RateLimit-Policy', `"${name}";q=${limit};w=${window}`);
    appendField(response, 'RateLimit', `"${name}";r=${remaining};t=${counted.timeToExpire}`);
    if (counted.isBlocked) {
      response.setHeader('Retry-After', String(counted.timeToBlockExpire));
      throw new ProblemException({
        status: 429,
        code: 'RATE_LIMITED',
        title: 'Too Many Requests',
        detail:
          `This workspace has used its ${name === SEARCH_BUDGET_NAME ? 'search and import ' : ''}` +
          `budget of ${limit} requests per ${window} s; retry in ${counted.timeToBlockExpire} s.`,
      });
    }
    return true;
  }
}

/** Adds an item to a structured list field, after the ones an earlier budget set. */
function appendField(response: Response, name: string, item: string): void {
  const current = response.getHeader(name);
  response.setHeader(name, current ? `${String(current)}, ${item}` : item);
}
