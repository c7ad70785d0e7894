import { HttpStatus } from '@nestjs/common';
import type { Request, Response } from 'express';
import { requestContextOf } from '../common/http/request-context';
import { PROBLEM_CONTENT_TYPE, problemType } from '../common/problem/problem-document';
import { ProblemException } from '../common/problem/problem.exception';

/** What a client told to come back should wait, in seconds (the `Retry-After` header). */
export const RETRY_AFTER_SECONDS = 5;

export type Dependency = 'database' | 'redis';

const NAMES: Record<Dependency, string> = { database: 'The database', redis: 'Redis' };

/** 503 SERVICE_UNAVAILABLE: a dependency the request needs is unreachable, or the time ran out. */
export class ServiceUnavailableProblem extends ProblemException {
  constructor(detail: string, extensions?: Record<string, unknown>) {
    super({
      status: HttpStatus.SERVICE_UNAVAILABLE,
      code: 'SERVICE_UNAVAILABLE',
      title: 'Service Unavailable',
      detail,
      extensions,
    });
  }

  static dependency(dependency: Dependency): ServiceUnavailableProblem {
    return new ServiceUnavailableProblem(
      `${NAMES[dependency]} is unreachable. Retry in a few seconds.`,
      { dependency },
    );
  }
}

/**
 * Writes a 503 problem straight to the response, for the answers given outside Nest's filter
 * chain (the request deadline, a draining server).
 */
export function sendServiceUnavailable(request: Request, response: Response, detail: string): void {
  if (response.headersSent) return;
  const context = requestContextOf(request);
  response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  response
    .status(HttpStatus.SERVICE_UNAVAILABLE)
    .type(PROBLEM_CONTENT_TYPE)
    .send(
      JSON.stringify({
        type: problemType('SERVICE_UNAVAILABLE'),
        title: 'Service Unavailable',
        status: HttpStatus.SERVICE_UNAVAILABLE,
        detail,
        instance: request.originalUrl?.split('?')[0] ?? request.url,
        code: 'SERVICE_UNAVAILABLE',
        traceId: context.traceId,
      }),
    );
}
