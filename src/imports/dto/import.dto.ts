import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ImportAcceptedDto {
  @ApiProperty({ example: 'import_01HV8Z92S0R7M4E5P6Q8T1A2B3' })
  importId!: string;
}

export class ImportRowErrorDto {
  /** Spreadsheet row: the header is row 1, the first data row is row 2. */
  @ApiProperty({ example: 17 })
  row!: number;

  /** The column's header as written; null for row-level problems (wrong cell count). */
  @ApiProperty({ example: 'phone', nullable: true, type: String })
  column!: string | null;

  @ApiProperty({ example: 'must be a valid E.164 phone number' })
  message!: string;
}

export class ImportStatusDto {
  @ApiProperty({ example: 'import_01HV8Z92S0R7M4E5P6Q8T1A2B3' })
  importId!: string;

  @ApiProperty({ enum: ['queued', 'processing', 'completed', 'failed'], example: 'completed' })
  status!: string;

  /**
   * Data rows in the file, counted when processing starts (0 while queued), so
   * processedRows / totalRows is the progress.
   */
  @ApiProperty({ example: 1200 })
  totalRows!: number;

  /** Data rows whose outcome is committed: the progress. */
  @ApiProperty({ example: 1200 })
  processedRows!: number;

  @ApiProperty({ example: 1194 })
  successCount!: number;

  @ApiProperty({ example: 1000 })
  createdCount!: number;

  @ApiProperty({ example: 194 })
  updatedCount!: number;

  @ApiProperty({ example: 6 })
  failedCount!: number;

  /** The first 1000 row errors, by row. */
  errors!: ImportRowErrorDto[];

  @ApiProperty({ example: false })
  errorsTruncated!: boolean;

  /** Header columns that were not recognized and were skipped. */
  @ApiProperty({ example: ['Notes'] })
  ignoredColumns!: string[];

  @ApiProperty({ example: '2026-04-30T09:20:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-04-30T09:20:01.000Z', nullable: true, type: String })
  startedAt!: string | null;

  @ApiProperty({ example: '2026-04-30T09:20:09.000Z', nullable: true, type: String })
  completedAt!: string | null;

  @ApiPropertyOptional({
    example: 'The file could not be read: part 3 of the stored file is missing',
  })
  failureReason?: string;
}
