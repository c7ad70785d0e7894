import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export interface RequestContext {
  requestId: string;
  /** Trace id of an incoming W3C traceparent, else the request id. */
  traceId: string;
}

const CONTEXT = Symbol('requestContext');
type WithContext = Request & { [CONTEXT]?: RequestContext };

// version-traceid-parentid-flags; an all-zero trace id is invalid per W3C Trace Context.
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;
const SAFE_REQUEST_ID = /^[\w.:/=+-]{1,128}$/;

export function requestContextOf(request: Request): RequestContext {
  return (request as WithContext)[CONTEXT] ?? { requestId: 'unknown', traceId: 'unknown' };
}

/** Assigns the request id (the gateway's X-Request-Id when sane) and the trace id. */
export function requestContextMiddleware(request: Request, response: Response, next: NextFunction) {
  const incoming = request.header('x-request-id');
  const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  const traceMatch = TRACEPARENT.exec(request.header('traceparent')?.trim().toLowerCase() ?? '');
  const traceId = traceMatch && !/^0+$/.test(traceMatch[1]) ? traceMatch[1] : requestId;
  (request as WithContext)[CONTEXT] = { requestId, traceId };
  response.setHeader('X-Request-Id', requestId);
  next();
}
