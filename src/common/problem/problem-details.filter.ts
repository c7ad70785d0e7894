import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { ProblemDocument, PROBLEM_CONTENT_TYPE, problemType } from './problem-document';
import { FieldError, ProblemException } from './problem.exception';
import { requestContextOf } from '../http/request-context';
import { isDatabaseUnavailable } from '../../database/driver-errors';
import {
  RETRY_AFTER_SECONDS,
  ServiceUnavailableProblem,
} from '../../resilience/service-unavailable.problem';

interface RenderedProblem {
  status: number;
  code: string;
  title: string;
  detail: string;
  errors?: FieldError[];
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** Codes for the statuses the framework and body parsers raise on their own. */
const FRAMEWORK_CODES: Record<number, [code: string, title: string]> = {
  400: ['BAD_REQUEST', 'Bad Request'],
  401: ['UNAUTHORIZED', 'Unauthorized'],
  403: ['FORBIDDEN', 'Forbidden'],
  404: ['NOT_FOUND', 'Not Found'],
  405: ['METHOD_NOT_ALLOWED', 'Method Not Allowed'],
  409: ['CONFLICT', 'Conflict'],
  413: ['PAYLOAD_TOO_LARGE', 'Content Too Large'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type'],
  422: ['VALIDATION_FAILED', 'Unprocessable Content'],
  429: ['TOO_MANY_REQUESTS', 'Too Many Requests'],
  503: ['SERVICE_UNAVAILABLE', 'Service Unavailable'],
};

/** body-parser / raw-body errors carry `type` and `status` but are not HttpExceptions. */
interface BodyParserError {
  type: string;
  status: number;
  message: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as BodyParserError).type === 'string' &&
    typeof (error as BodyParserError).status === 'number'
  );
}

/**
 * Renders every failure, the framework's own included, as application/problem+json (RFC 9457).
 * Unexpected errors are logged with the request id and rendered as a bare 500.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    // Already answered (the request deadline's 503): the handler's late failure is no news.
    if (response.headersSent) return;
    const context = requestContextOf(request);
    const problem = this.render(exception, context.requestId);

    const document: ProblemDocument = {
      type: problemType(problem.code),
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      instance: request.originalUrl?.split('?')[0] ?? request.url,
      code: problem.code,
      traceId: context.traceId,
      ...(problem.errors ? { errors: problem.errors } : {}),
      ...problem.extensions,
    };
    if (response.headersSent) return;
    if (problem.status === 503) {
      response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    }
    for (const [name, value] of Object.entries(problem.headers ?? {})) {
      response.setHeader(name, value);
    }
    response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(document));
  }

  private render(exception: unknown, requestId: string): RenderedProblem {
    if (exception instanceof ProblemException) {
      const { status, code, title, detail, errors, extensions } = exception.problem;
      const headers =
        status === HttpStatus.UNAUTHORIZED ? { 'WWW-Authenticate': 'Bearer' } : undefined;
      return { status, code, title, detail, errors, extensions, headers };
    }
    // Nest's Express adapter wraps body-parser errors in an HttpException (the original as cause)
    // before filters run: render them from the cause, so malformed JSON is MALFORMED_JSON.
    const cause = exception instanceof HttpException ? exception.cause : undefined;
    if (isBodyParserError(cause) && cause.status >= 400 && cause.status < 500) {
      return this.fromBodyParser(cause);
    }
    if (exception instanceof HttpException) {
      return this.fromHttpException(exception);
    }
    if (isBodyParserError(exception) && exception.status >= 400 && exception.status < 500) {
      return this.fromBodyParser(exception);
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn({ message: 'database unavailable', requestId, error: String(exception) });
      return this.render(ServiceUnavailableProblem.dependency('database'), requestId);
    }
    this.logger.error({
      message: 'Unhandled error',
      requestId,
      error: exception instanceof Error ? exception.message : String(exception),
      stack: exception instanceof Error ? exception.stack : undefined,
    });
    return {
      status: 500,
      code: 'INTERNAL_ERROR',
      title: 'Internal Server Error',
      detail: `An unexpected error occurred. Quote request id ${requestId} when reporting it.`,
    };
  }

  private fromHttpException(exception: HttpException): RenderedProblem {
    const status = exception.getStatus();
    const [code, title] = FRAMEWORK_CODES[status] ?? [`HTTP_${status}`, 'Error'];
    const body = exception.getResponse();
    let detail = exception.message;
    if (typeof body === 'object' && body !== null && 'message' in body) {
      const message = body.message;
      detail = Array.isArray(message) ? message.join('; ') : String(message);
    }
    if (status >= 500) {
      return { status, code, title, detail: title };
    }
    if (status === 404 && /^Cannot \w+ /.test(detail)) {
      detail = `No route matches ${detail.replace(/^Cannot /, '')}.`;
    }
    const headers = status === 401 ? { 'WWW-Authenticate': 'Bearer' } : undefined;
    return { status, code, title, detail, headers };
  }

  private fromBodyParser(error: BodyParserError): RenderedProblem {
    switch (error.type) {
      case 'entity.parse.failed':
        return {
          status: 400,
          code: 'MALFORMED_JSON',
          title: 'Bad Request',
          detail: 'The request body is not valid JSON.',
        };
      case 'entity.too.large':
        return {
          status: 413,
          code: 'PAYLOAD_TOO_LARGE',
          title: 'Content Too Large',
          detail: 'The request body exceeds the size limit.',
        };
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return {
          status: 415,
          code: 'UNSUPPORTED_MEDIA_TYPE',
          title: 'Unsupported Media Type',
          detail: error.message,
        };
      default: {
        const [code, title] = FRAMEWORK_CODES[error.status] ?? ['BAD_REQUEST', 'Bad Request'];
        return { status: error.status, code, title, detail: 'The request body could not be read.' };
      }
    }
  }
}
