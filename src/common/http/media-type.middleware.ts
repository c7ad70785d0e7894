import type { NextFunction, Request, Response } from 'express';
import { ProblemException } from '../problem/problem.exception';

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return (
    request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
  );
}

/** JSON everywhere except multipart uploads; anything else with a body is 415, not ignored. */
export function rejectUnsupportedMediaType(
  request: Request,
  _response: Response,
  next: NextFunction,
) {
  if (
    !hasBody(request) ||
    request.is(['application/json', 'application/*+json', 'multipart/form-data'])
  ) {
    next();
    return;
  }
  next(
    new ProblemException({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      title: 'Unsupported Media Type',
      detail: `Content-Type "${request.headers['content-type'] ?? '(none)'}" is not supported; send application/json.`,
    }),
  );
}
