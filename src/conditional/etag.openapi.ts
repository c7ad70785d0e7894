import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import { ApiProblem } from '../common/problem/api-problem.decorator';

const ETAG_HEADER = {
  ETag: {
    description: 'Strong validator of the contact\'s current version, e.g. `"3"`',
    schema: { type: 'string' },
  },
};

/** The 204 of a write whose handler returns the contact's new version (`@ConditionalWrite`). */
export const VERSION_AS_ETAG = {
  description: "Done; ETag is the contact's version",
  headers: ETAG_HEADER,
};

/**
 * Documents a conditional write on a contact: `If-Match` and its 412 (`ifMatch: false` for
 * create), and the `ETag` on the success response (`success`; none for delete).
 */
export function ApiConditionalWrite(options: {
  ifMatch?: boolean;
  success?: { status: number; description: string };
}) {
  const decorators: MethodDecorator[] = [];
  if (options.ifMatch !== false) {
    decorators.push(
      ApiHeader({
        name: 'If-Match',
        required: false,
        description:
          'Apply the write only while the contact is at one of these ETags (comma-separated), or `*` for any live version. Weak validators never match.',
      }),
      ApiProblem(412, 'If-Match holds no current ETag (PRECONDITION_FAILED); nothing changed'),
    );
  }
  if (options.success) decorators.push(ApiResponse({ ...options.success, headers: ETAG_HEADER }));
  return applyDecorators(...decorators);
}

/** Documents `If-None-Match` and the 304 of a conditional read, and the ETag of the 200. */
export function ApiConditionalRead() {
  return applyDecorators(
    ApiHeader({
      name: 'If-None-Match',
      required: false,
      description: 'ETag(s) of a copy the client holds, or `*`: 304 while it is current.',
    }),
    ApiResponse({ status: 200, description: 'Contact found', headers: ETAG_HEADER }),
    ApiResponse({
      status: 304,
      description: 'The contact is unchanged (no body)',
      headers: ETAG_HEADER,
    }),
  );
}
