/** Hostile values for the fuzz generator (bad-requests.ts): strings, JSON values, tokens. */
import { signToken, ALL_SCOPES } from '../support/api';

/** mulberry32: small, fast, and the same sequence for the same seed. */
export function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(items: readonly T[]): T => items[int(items.length)] };
}
export type Random = ReturnType<typeof random>;

/** encodeURIComponent, except that a lone surrogate becomes the (invalid) UTF-8 of one. */
export function enc(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return `${encodeURIComponent(value.replace(/[\ud800-\udfff]/g, ''))}%ED%A0%80`;
  }
}

export const SURROGATES = ['\ud800', '\udfff', '\udfff\ud800', 'a\udc00b', '\ud83d'];
export const NUL = ['\u0000', 'a\u0000b', '\u0000\u0000'];

export function hostileString(r: Random): string {
  switch (r.int(9)) {
    case 0:
      return r.pick(SURROGATES);
    case 1:
      return r.pick(NUL);
    case 2:
      return 'x'.repeat(r.pick([256, 1001, 5000, 70_000]));
    case 3:
      return '';
    case 4:
      return '   ';
    case 5:
      return r.pick(['😀'.repeat(200), 'İ'.repeat(100), '\u202e\u200b', 'ﬀ'.repeat(80)]);
    case 6:
      return r.pick(["' OR 1=1 --", '%', '_', '\\', '"', '${x}', '<script>', '../../etc/passwd']);
    case 7:
      return r.pick(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'cf_email']);
    default:
      return String.fromCharCode(...Array.from({ length: 1 + r.int(40) }, () => r.int(0x10000)));
  }
}

export function hostileValue(r: Random, depth = 0): unknown {
  switch (r.int(depth > 2 ? 6 : 9)) {
    case 0:
      return r.pick([0, -1, 1.5, 1e308, -0, 2 ** 53 + 1]);
    case 1:
      return r.pick([true, false]);
    case 2:
      return null;
    case 3:
    case 4:
    case 5:
      return hostileString(r);
    case 6:
      return Array.from({ length: r.int(4) }, () => hostileValue(r, depth + 1));
    default: {
      const value: Record<string, unknown> = {};
      for (let i = r.int(4); i > 0; i--) value[hostileString(r)] = hostileValue(r, depth + 1);
      return value;
    }
  }
}

export function nested(depth: number, array: boolean): string {
  return array
    ? '['.repeat(depth) + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

export function manyKeys(count: number, value: unknown = 'x'): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) result[i.toString(36)] = value;
  return result;
}

/** Tokens that must all be refused (401), or hostile ones that verify. */
export function hostileToken(r: Random, fixture: { tenantId: string }): string | undefined {
  const claims = {
    sub: 'usr_fuzz',
    tenantId: fixture.tenantId,
    role: 'admin',
    scope: ALL_SCOPES.join(' '),
  };
  switch (r.int(9)) {
    case 0:
      return undefined;
    case 1:
      return r.pick(['', 'x', 'a.b.c', 'Bearer', 'e30.e30.', 'x'.repeat(10_000)]);
    case 2:
      return signToken({ ...claims, tenantId: 'x'.repeat(r.pick([65, 10_000])) });
    case 3:
      return signToken({
        ...claims,
        tenantId: r.pick([
          ...SURROGATES,
          ...NUL,
          '',
          ' ',
          'tn.x',
          5,
          null,
          ['tn_a'],
          { a: 1 },
        ]) as string,
      });
    case 4:
      return signToken({
        ...claims,
        sub: r.pick(['x'.repeat(129), '\u0000', '\ud800', 7, '']) as string,
      });
    case 5:
      return signToken({
        ...claims,
        role: r.pick(['root', '', 'x'.repeat(5000), '\ud800', 1]) as string,
      });
    case 6:
      return signToken({
        ...claims,
        scope: undefined,
        scopes: r.pick([[1, {}], 'contact:list', [null], ['x'.repeat(5000)]]) as string[],
      });
    case 7:
      return signToken(claims, { expiresIn: -10 });
    default:
      return signToken(claims, { expiresIn: 600 }, 'another-secret-that-is-long-enough-for-hs256');
  }
}
