import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { BadRequestProblem, FieldError, ValidationProblem } from '../problem/problem.exception';
import { BodyValidationFailed } from './body-rules';
import { RESERVED_KEYS } from './reserved-keys';
import { illFormedStrings } from './well-formed-text';

/** Flattens class-validator's tree into `{ field: "a.b", message }` pairs. */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      field,
      message:
        constraint === 'whitelistValidation'
          ? 'is not a recognized attribute'
          : message.startsWith(`${error.property} `)
            ? message.slice(error.property.length + 1)
            : message,
    }));
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

/** `first`, then the errors of `rest` on fields `first` does not name. */
function mergeByField(first: FieldError[], rest: FieldError[]): FieldError[] {
  const named = new Set(first.map((error) => error.field));
  return [...first, ...rest.filter((error) => !named.has(error.field))];
}

class FieldErrors extends Error {
  constructor(readonly errors: FieldError[]) {
    super('validation failed');
  }
}

/**
 * Paths (`customFields.constructor`) of the own keys in a parsed body that Nest would strip.
 * Walks with its own stack: a 1 MB body can nest deeper than the call stack.
 */
function reservedKeyPaths(body: unknown): string[] {
  const found: string[] = [];
  const stack: [unknown, string][] = [[body, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (RESERVED_KEYS.has(key)) found.push(childPath);
      else stack.push([child, childPath]);
    }
  }
  return found.sort();
}

/**
 * Validates DTOs and maps failures to the contract's statuses: a parsed JSON body that fails
 * validation is 422 with `errors`; a query or path parameter of the wrong type or format is 400.
 */
@Injectable()
export class ProblemValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new FieldErrors(toFieldErrors(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isBody = metadata.type === 'body';
    if (isBody && metadata.metatype && !this.isPrimitiveOrBuiltIn(metadata.metatype)) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new ValidationProblem([], 'The request body must be a JSON object.');
      }
    }
    if (metadata.type === 'query' || metadata.type === 'param') {
      const illFormed = illFormedStrings(value, metadata.data ?? '');
      if (illFormed.length > 0) {
        const detail = illFormed.map((e) => `${e.field} ${e.message}`).join('; ');
        throw new BadRequestProblem('INVALID_PARAMETER', detail, illFormed);
      }
    }
    // Nest deletes reserved keys to stop prototype pollution; say so instead of dropping input.
    const early: FieldError[] = isBody
      ? [
          ...reservedKeyPaths(value).map((field) => ({
            field,
            message: 'is a reserved key and not accepted',
          })),
          ...illFormedStrings(value),
        ]
      : [];
    let transformed: unknown;
    try {
      transformed = await super.transform(value, metadata);
    } catch (error) {
      if (!(error instanceof FieldErrors)) throw error;
      if (isBody) throw new BodyValidationFailed(mergeByField(early, error.errors), value);
      const detail = error.errors.map((e) => `${e.field} ${e.message}`).join('; ');
      throw new BadRequestProblem('INVALID_PARAMETER', detail, error.errors);
    }
    if (early.length > 0) throw new BodyValidationFailed(early, value);
    return transformed;
  }

  private isPrimitiveOrBuiltIn(metatype: unknown): boolean {
    return [String, Boolean, Number, Array, Object].includes(metatype as never);
  }
}
