import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

export type IdPrefix = 'con' | 'idn' | 'tag' | 'import';

/** `con_01HV8Y5R5RFMS0TFK6PKF9H2S8`: a type prefix and a ULID (time-ordered, monotonic). */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${nextUlid()}`;
}

export function newUlid(): string {
  return nextUlid();
}
