import { BadRequestProblem } from '../common/problem/problem.exception';
import { CustomFieldEntity } from '../custom-fields/custom-field.entity';
import { EMAIL_FIELD_ID } from '../custom-fields/predefined-fields';

/** What one CSV column feeds. */
export type ColumnTarget =
  { kind: 'name' } | { kind: 'phone' } | { kind: 'tags' } | { kind: 'field'; fieldId: string };

export interface ColumnMapping {
  index: number;
  /** The header as written. */
  header: string;
  target: ColumnTarget;
}

export interface HeaderAnalysis {
  columns: ColumnMapping[];
  ignoredColumns: string[];
}

function targetOf(header: string, fields: CustomFieldEntity[]): ColumnTarget | undefined {
  const wanted = header.trim().toLowerCase();
  if (wanted === 'name') return { kind: 'name' };
  if (wanted === 'phone') return { kind: 'phone' };
  if (wanted === 'tags') return { kind: 'tags' };
  if (wanted === 'email') return { kind: 'field', fieldId: EMAIL_FIELD_ID };
  const field = fields.find(
    (f) =>
      f.key.toLowerCase() === wanted ||
      f.id.toLowerCase() === wanted ||
      f.name.trim().toLowerCase() === wanted,
  );
  return field ? { kind: 'field', fieldId: field.id } : undefined;
}

function targetKey(target: ColumnTarget): string {
  return target.kind === 'field' ? `field:${target.fieldId}` : target.kind;
}

/**
 * Maps header cells to targets: name, phone, email, tags and contact custom fields by key, id
 * or name (trimmed, case-insensitive). Unknown columns are ignored and reported.
 */
export function analyzeHeader(cells: string[], fields: CustomFieldEntity[]): HeaderAnalysis {
  const columns: ColumnMapping[] = [];
  const ignoredColumns: string[] = [];
  const seen = new Map<string, string>();
  cells.forEach((header, index) => {
    const target = targetOf(header, fields);
    // Two columns with one header, or two headers feeding one target, are ambiguous (blank
    // headers, as spreadsheets leave after the last column, are not names).
    const name = header.trim().toLowerCase();
    const key = target ? targetKey(target) : name ? `ignored:${name}` : `blank:${index}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new BadRequestProblem(
        'DUPLICATE_COLUMN',
        `Columns "${earlier}" and "${header}" name the same thing; keep one.`,
      );
    }
    seen.set(key, header);
    if (target) columns.push({ index, header, target });
    else ignoredColumns.push(header);
  });
  if (columns.length === 0) {
    throw new BadRequestProblem(
      'NO_RECOGNIZED_COLUMNS',
      'The header names no column this import understands (name, phone, email, tags or a contact custom field).',
    );
  }
  return { columns, ignoredColumns };
}

/** `;` when the header holds more semicolons than commas, else `,`. */
export function detectDelimiter(headerLine: string): ',' | ';' {
  const count = (c: string) => headerLine.split(c).length - 1;
  return count(';') > count(',') ? ';' : ',';
}
