import { Column, Entity, PrimaryColumn } from 'typeorm';
import { ColumnMapping } from './import-columns';

export type ImportStatus = 'uploading' | 'queued' | 'processing' | 'completed' | 'failed';

const json = {
  to: (value: unknown) => JSON.stringify(value),
  from: (value: string) => JSON.parse(value) as unknown,
};
const bigint = { to: (value: number) => value, from: (value: string | number) => Number(value) };

@Entity({ name: 'imports' })
export class ImportEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar' })
  tenantId!: string;

  @PrimaryColumn({ type: 'varchar' })
  id!: string;

  @Column({ type: 'varchar' })
  status!: ImportStatus;

  @Column({ type: 'varchar' })
  delimiter!: string;

  @Column({ type: 'text', transformer: json })
  columns!: ColumnMapping[];

  @Column({ name: 'ignored_columns', type: 'text', transformer: json })
  ignoredColumns!: string[];

  @Column({ name: 'file_size', type: 'bigint', transformer: bigint })
  fileSize!: number;

  @Column({ name: 'chunk_count', type: 'int' })
  chunkCount!: number;

  @Column({ name: 'total_rows', type: 'int' })
  totalRows!: number;

  @Column({ name: 'processed_rows', type: 'int' })
  processedRows!: number;

  @Column({ name: 'created_count', type: 'int' })
  createdCount!: number;

  @Column({ name: 'updated_count', type: 'int' })
  updatedCount!: number;

  @Column({ name: 'failed_count', type: 'int' })
  failedCount!: number;

  @Column({ name: 'error_count', type: 'int' })
  errorCount!: number;

  @Column({ name: 'stored_error_count', type: 'int' })
  storedErrorCount!: number;

  @Column({ name: 'failure_reason', type: 'varchar', nullable: true })
  failureReason!: string | null;

  @Column({ name: 'created_by', type: 'varchar' })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'datetime', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'datetime', nullable: true })
  completedAt!: Date | null;

  /** When its job went on the queue; null while it waits for Redis (ImportDispatcher). */
  @Column({ name: 'dispatched_at', type: 'datetime', nullable: true })
  dispatchedAt!: Date | null;

  /** Hand-backs by stopping workers: each later dispatch is a job of its own. */
  @Column({ name: 'dispatch_seq', type: 'int', default: 0 })
  dispatchSeq!: number;
}

export interface ImportRowError {
  row: number;
  /** Header of the offending column as written; null for row-level problems. */
  column: string | null;
  message: string;
}
