import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '../common/problem/problem.exception';

/**
 * What a conditional write expects of the current version of a resource: any live version
 * (`If-Match: *`), or one of the listed versions. A plain value: services never see HTTP.
 */
export type Precondition = { any: true } | { versions: number[] };

export class PreconditionFailed extends ProblemException {
  constructor(id: string) {
    super({
      status: HttpStatus.PRECONDITION_FAILED,
      code: 'PRECONDITION_FAILED',
      title: 'Precondition Failed',
      detail: `${id} has changed: none of the If-Match validators is its current one.`,
    });
  }
}

/** Throws 412 unless `version` satisfies the precondition (none given: always satisfied). */
export function assertPrecondition(
  precondition: Precondition | undefined,
  id: string,
  version: number,
): void {
  if (!precondition || 'any' in precondition) return;
  if (!precondition.versions.includes(version)) throw new PreconditionFailed(id);
}
