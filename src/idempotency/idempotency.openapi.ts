import type { OpenAPIObject } from '@nestjs/swagger';
import { getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../common/problem/problem-document';
import { ProblemResponseDto } from '../common/problem/problem-response.dto';
import { REPLAYED_HEADER } from './idempotency-key';

type Responses = Record<string, { description?: string; [member: string]: unknown }>;

const KEY_ERRORS: Record<string, string> = {
  '400': 'Malformed Idempotency-Key (INVALID_IDEMPOTENCY_KEY)',
  '409':
    'A request with this Idempotency-Key is still running (IDEMPOTENCY_KEY_IN_USE, Retry-After: 1)',
  '422': 'Idempotency-Key reused with another request (IDEMPOTENCY_KEY_REUSED)',
};

/** Documents Idempotency-Key on every POST operation, as the interceptor applies it to all. */
export function documentIdempotency(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    const operation = item.post;
    if (!operation) continue;
    operation.parameters = [
      ...(operation.parameters ?? []),
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Makes a retry safe: the first request with a key runs, a retry with the same key and ' +
          `request gets the kept response again with \`${REPLAYED_HEADER}: true\`. 1–255 visible ` +
          'ASCII characters, scoped to the tenant, kept for IDEMPOTENCY_TTL_SECONDS.',
        schema: { type: 'string', minLength: 1, maxLength: 255, example: 'a3f1c9e2-import-0412' },
      },
    ];
    const responses = operation.responses as Responses;
    for (const [status, response] of Object.entries(responses)) {
      if (!/^2\d\d$/.test(status)) continue;
      response.headers = {
        ...(response.headers ?? {}),
        [REPLAYED_HEADER]: {
          description: 'true when this is the kept response of an earlier request with the key',
          schema: { type: 'string', enum: ['true'] },
        },
      };
    }
    for (const [status, description] of Object.entries(KEY_ERRORS)) {
      const existing = responses[status];
      responses[status] = existing
        ? { ...existing, description: `${existing.description ?? ''}; or: ${description}` }
        : {
            description,
            content: {
              [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemResponseDto) } },
            },
          };
    }
  }
}
