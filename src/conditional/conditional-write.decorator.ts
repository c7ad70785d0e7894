import {
  applyDecorators,
  CallHandler,
  createParamDecorator,
  ExecutionContext,
  HttpCode,
  Injectable,
  NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, Observable } from 'rxjs';
import { parseIfMatch, setETag } from './etag';
import { ApiConditionalWrite } from './etag.openapi';
import type { Precondition } from './precondition';

/** The request's `If-Match` as a precondition for the service (undefined: none sent). */
export const IfMatch = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Precondition | undefined =>
    parseIfMatch(context.switchToHttp().getRequest<Request>().headers['if-match']),
);

/** Turns the version a handler returns into the `ETag` of an empty response. */
@Injectable()
class VersionAsETagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler<number>): Observable<void> {
    const response = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(map((version) => setETag(response, version)));
  }
}

/**
 * A guarded write on a contact that answers 204 with the contact's new version as its `ETag`:
 * the handler takes `@IfMatch()` and returns the version. Documents If-Match and 412; the 204
 * itself is documented on the handler (`@ApiNoContentResponse(VERSION_AS_ETAG)`), where the
 * Swagger CLI plugin sees it and adds no response of its own for the returned number.
 */
export function ConditionalWrite() {
  return applyDecorators(
    HttpCode(204),
    ApiConditionalWrite({}),
    UseInterceptors(VersionAsETagInterceptor),
  );
}
