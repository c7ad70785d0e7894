import { applyDecorators } from '@nestjs/common';
import { ApiDefaultResponse, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem-document';
import { ProblemResponseDto } from './problem-response.dto';

const problemContent = () => ({
  [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemResponseDto) } },
});

/** Documents an error response of an operation as an RFC 9457 problem document. */
export function ApiProblem(status: number, description: string) {
  return ApiResponse({ status, description, content: problemContent() });
}

/** The reference's catch-all `default` response. */
export function ApiDefaultProblem() {
  return applyDecorators(ApiDefaultResponse({ description: 'Error', content: problemContent() }));
}
