/**
 * The n-gram encoding of the substring index. Every position of a contact's search text starts
 * one 4-gram (the text is padded with three NULs), packed into a 32-bit integer, one byte per
 * character in order. So a term of 4 or more characters is looked up by its exact 4-grams, and a
 * term of 1–3 characters by the range of 4-grams it is a prefix of: one table serves every length.
 *
 * A byte per character: ASCII maps to itself, every other character to one of 128 buckets.
 * Two characters sharing a bucket only add candidates; the exact check decides the result.
 */

const PAD = 0;
const GRAM = 4;

function codeOf(codePoint: number): number {
  if (codePoint > 0 && codePoint < 0x80) return codePoint;
  // Lone surrogates are stored as U+FFFD by both drivers: give them its bucket.
  const stored = codePoint >= 0xd800 && codePoint <= 0xdfff ? 0xfffd : codePoint;
  return 0x80 + (stored % 0x80);
}

function codesOf(text: string): number[] {
  const codes: number[] = [];
  for (const char of text) codes.push(codeOf(char.codePointAt(0)!));
  return codes;
}

function pack(codes: number[], at: number): number {
  // Multiplication, not shifts: shifts are signed 32-bit in JavaScript.
  return ((codes[at] * 256 + codes[at + 1]) * 256 + codes[at + 2]) * 256 + codes[at + 3];
}

/** The distinct 4-grams of a stored search text. */
export function gramsOfText(text: string): number[] {
  if (text === '') return [];
  const codes = codesOf(text);
  const length = codes.length;
  codes.push(PAD, PAD, PAD);
  const grams = new Set<number>();
  for (let i = 0; i < length; i++) grams.add(pack(codes, i));
  return [...grams];
}

/** An inclusive range of grams that every text containing the term has at least one of. */
export interface GramRange {
  from: number;
  to: number;
}

/**
 * What a term is looked up by: its distinct 4-grams (each a range of one), or for a term of 1–3
 * characters the range of 4-grams it is a prefix of.
 */
export function gramRangesOfTerm(term: string): GramRange[] {
  const codes = codesOf(term);
  if (codes.length === 0) return [];
  if (codes.length < GRAM) {
    const free = GRAM - codes.length;
    const prefix = [...codes, ...Array<number>(free).fill(0)];
    const from = pack(prefix, 0);
    return [{ from, to: from + 256 ** free - 1 }];
  }
  const grams = new Set<number>();
  for (let i = 0; i + GRAM <= codes.length; i++) grams.add(pack(codes, i));
  return [...grams].map((gram) => ({ from: gram, to: gram }));
}

/** The grams to delete and to insert when a contact's text changes from `before` to `after`. */
export function gramChanges(before: string, after: string): { removed: number[]; added: number[] } {
  const old = new Set(gramsOfText(before));
  const next = new Set(gramsOfText(after));
  return {
    removed: [...old].filter((gram) => !next.has(gram)),
    added: [...next].filter((gram) => !old.has(gram)),
  };
}
