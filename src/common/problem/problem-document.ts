import { FieldError } from './problem.exception';

/** The RFC 9457 document every non-2xx response carries. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  traceId: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** `type` is a stable URI reference derived from the code: CONTACT_NOT_FOUND → /problems/contact-not-found. */
export function problemType(code: string): string {
  return `/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}
