import { INVALID_PHONE_MESSAGE, normalizePhoneNumber } from '../common/phone-number';
import { CustomFieldEntity } from '../custom-fields/custom-field.entity';
import { checkFieldValue } from '../custom-fields/field-value-rules';
import { illFormedText } from '../common/validation/well-formed-text';
import { ColumnMapping } from './import-columns';
import { ImportRowError } from './import.entity';

/** A data row reduced to what it sets: only non-empty cells count. */
export interface ImportRow {
  row: number;
  name?: string;
  phone?: string;
  /** field id → stored value */
  fields: Map<string, string>;
  /** Tag names as written (trimmed). */
  tags: string[];
}

export type RowError = ImportRowError & { columnIndex: number };

const MAX_NAME_LENGTH = 255;
const MAX_TAG_LENGTH = 64;

/**
 * Validates one data row against the header mapping and the field definitions. A row with any
 * invalid cell is rejected whole, with one error per offending cell.
 */
export function readImportRow(
  row: number,
  cells: string[],
  headerLength: number,
  columns: ColumnMapping[],
  fields: Map<string, CustomFieldEntity>,
): { row: ImportRow } | { errors: RowError[] } {
  if (cells.length !== headerLength) {
    return {
      errors: [
        {
          row,
          column: null,
          columnIndex: -1,
          message: `has ${cells.length} cells where the header has ${headerLength} (check the quoting)`,
        },
      ],
    };
  }
  const result: ImportRow = { row, fields: new Map(), tags: [] };
  const errors: RowError[] = [];
  const fail = (column: ColumnMapping, message: string) =>
    errors.push({ row, column: column.header, columnIndex: column.index, message });

  for (const column of columns) {
    const cell = cells[column.index].trim();
    if (cell === '') continue;
    const illFormed = illFormedText(cell);
    if (illFormed) {
      fail(column, illFormed);
      continue;
    }
    const { target } = column;
    switch (target.kind) {
      case 'name':
        if (cell.length > MAX_NAME_LENGTH)
          fail(column, `must be at most ${MAX_NAME_LENGTH} characters`);
        else result.name = cell;
        break;
      case 'phone': {
        const phone = normalizePhoneNumber(cell);
        if (phone) result.phone = phone;
        else fail(column, INVALID_PHONE_MESSAGE);
        break;
      }
      case 'tags': {
        const names = cell
          .split(/[;|]/)
          .map((name) => name.trim())
          .filter(Boolean);
        const tooLong = names.find((name) => name.length > MAX_TAG_LENGTH);
        if (tooLong)
          fail(column, `tag "${tooLong.slice(0, 80)}" is longer than ${MAX_TAG_LENGTH} characters`);
        else result.tags = names;
        break;
      }
      case 'field': {
        const field = fields.get(target.fieldId);
        if (!field) break; // deleted since the upload: the column is ignored
        const check = checkFieldValue(field, cell);
        if (check.ok) result.fields.set(field.id, check.value);
        else fail(column, check.message);
        break;
      }
    }
  }
  if (errors.length > 0) return { errors };
  if (!result.name && !result.phone && result.fields.size === 0 && result.tags.length === 0) {
    return { errors: [{ row, column: null, columnIndex: -1, message: 'has no value to import' }] };
  }
  return { row: result };
}
