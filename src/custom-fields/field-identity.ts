import slugify from 'slugify';
import { newUlid } from '../common/identifiers';

/**
 * Longest slug kept. One character can slug to several ("&" → "and", "ß" → "ss"), so a
 * 100-character name could overflow the 120-character id column: `cf_` + slug + `_N` must fit.
 */
const MAX_SLUG_LENGTH = 100;

/**
 * "Región de venta" → "region_de_venta", "Follow-up date" → "follow_up_date", "R&D" → "r_and_d";
 * a name with no usable character gets a ULID slug.
 */
export function slugOf(name: string): string {
  // Punctuation separates words like spaces do (slugify alone would glue "Follow-up" together).
  const words = name.replace(/[^\p{L}\p{N}&]+/gu, ' ').replace(/&/g, ' and ');
  const slug = slugify(words, { replacement: '_', lower: true, strict: true, trim: true })
    .replace(/_+/g, '_')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/^_|_$/g, '');
  return slug === '' ? newUlid().toLowerCase() : slug;
}

/** cf_lifecycle_stage → lifecycleStage */
export function keyOf(fieldId: string): string {
  const [first, ...rest] = fieldId.replace(/^cf_/, '').split('_');
  return first + rest.map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}

export function nameKeyOf(name: string): string {
  // "İ" is the one letter whose lower case is two code points: keep the key as long as the name.
  return name
    .trim()
    .replace(/\u0130/g, 'i')
    .toLowerCase();
}

/** Candidate ids for a name: cf_slug, cf_slug_2, cf_slug_3… */
export function* candidateIds(name: string): Generator<string> {
  const base = `cf_${slugOf(name)}`;
  yield base;
  for (let n = 2; ; n++) yield `${base}_${n}`;
}
