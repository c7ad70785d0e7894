import { HttpException, HttpStatus } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
}

export interface ProblemInit {
  status: HttpStatus;
  /** Stable UPPER_SNAKE_CASE code, e.g. CONTACT_NOT_FOUND. */
  code: string;
  title: string;
  detail: string;
  errors?: FieldError[];
  /** Extra members added to the problem document (RFC 9457 extensions). */
  extensions?: Record<string, unknown>;
}

/** An error the API means to return: rendered as-is by ProblemDetailsFilter. */
export class ProblemException extends HttpException {
  readonly problem: ProblemInit;

  constructor(problem: ProblemInit) {
    super(problem.detail, problem.status);
    this.problem = problem;
  }
}

export class NotFoundProblem extends ProblemException {
  constructor(code: string, detail: string) {
    super({ status: HttpStatus.NOT_FOUND, code, title: 'Not Found', detail });
  }
}

export class ConflictProblem extends ProblemException {
  constructor(code: string, detail: string, extensions?: Record<string, unknown>) {
    super({ status: HttpStatus.CONFLICT, code, title: 'Conflict', detail, extensions });
  }
}

export class BadRequestProblem extends ProblemException {
  constructor(code: string, detail: string, errors?: FieldError[]) {
    super({ status: HttpStatus.BAD_REQUEST, code, title: 'Bad Request', detail, errors });
  }
}

export class ValidationProblem extends ProblemException {
  constructor(errors: FieldError[], detail = 'The request body is invalid.') {
    super({
      status: HttpStatus.UNPROCESSABLE_ENTITY,
      code: 'VALIDATION_FAILED',
      title: 'Unprocessable Content',
      detail,
      errors,
    });
  }
}
