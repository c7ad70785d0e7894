/**
 * The n-gram encoding of the substring index. Every position of a contact's search text starts
 * one 4-gram (the text is padded with three NULs), packed into a 32-bit integer, one byte per
 * character in order. So a term of 4 or more characters is looked up by its exact 4-grams, and a
 * term of 1–3 characters by the range of 4-grams it is a prefix of: one table serves every length.
 *
 * A byte per character: ASCII maps to itself, every other character to one of 128 buckets.
 * Two characters sharing a bucket only add candidates; the exact check decides the result.
 *
 * Every run of six ASCII digits is a gram as well, its number below 2^24: no 4-gram is, as no
 * character's byte is 0. Phone numbers share their 4-grams with a large part of a tenant (a
 * digit 4-gram has 1 in 10,000 of all values), so a term of 6 or more digits is looked up by
 * these instead: 1 in 1,000,000.
 */

const PAD = 0;
const GRAM = 4;
const DIGIT_RUN = 6;
/** Every digit-run gram is below this, every 4-gram at or above it. */
export const DIGIT_GRAMS_BELOW = 2 ** 24;
const DIGIT_ZERO = 0x30;

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

const isDigit = (code: number) => code >= DIGIT_ZERO && code <= DIGIT_ZERO + 9;

/** The numbers of every run of DIGIT_RUN digits in `codes`, in order. */
function digitRuns(codes: number[]): number[] {
  const runs: number[] = [];
  let digits = 0;
  let value = 0;
  for (const code of codes) {
    if (!isDigit(code)) {
      digits = 0;
      value = 0;
      continue;
    }
    value = (value * 10 + code - DIGIT_ZERO) % 10 ** DIGIT_RUN;
    if (++digits >= DIGIT_RUN) runs.push(value);
  }
  return runs;
}

/** The distinct runs of digits of a stored search text, its grams below 2^24. */
export function digitGramsOfText(text: string): number[] {
  return [...new Set(digitRuns(codesOf(text)))];
}

/** The distinct grams of a stored search text: its 4-grams and its runs of digits. */
export function gramsOfText(text: string): number[] {
  if (text === '') return [];
  const codes = codesOf(text);
  const grams = new Set<number>(digitRuns(codes));
  const length = codes.length;
  codes.push(PAD, PAD, PAD);
  for (let i = 0; i < length; i++) grams.add(pack(codes, i));
  return [...grams];
}

/** An inclusive range of grams that every text containing the term has at least one of. */
export interface GramRange {
  from: number;
  to: number;
}

/** A term's runs of digits as ranges of one, distinct; none for a term without one. */
export function digitRangesOfTerm(term: string): GramRange[] {
  return [...new Set(digitRuns(codesOf(term)))].map((gram) => ({ from: gram, to: gram }));
}

/**
 * What a term is looked up by besides its runs of digits: its distinct 4-grams (each a range of
 * one), or for a term of 1–3 characters the range of 4-grams it is a prefix of.
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
