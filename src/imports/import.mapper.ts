import { ImportStatusDto } from './dto/import.dto';
import { ImportEntity, ImportRowError } from './import.entity';

export function mapImportStatus(entity: ImportEntity, errors: ImportRowError[]): ImportStatusDto {
  const successCount = entity.createdCount + entity.updatedCount;
  return {
    importId: entity.id,
    status: entity.status === 'uploading' ? 'queued' : entity.status,
    // Counted when processing starts; until then (queued) nothing is known but what is done.
    totalRows: ['queued', 'uploading'].includes(entity.status)
      ? entity.processedRows
      : Math.max(entity.totalRows, entity.processedRows),
    processedRows: entity.processedRows,
    successCount,
    createdCount: entity.createdCount,
    updatedCount: entity.updatedCount,
    failedCount: entity.failedCount,
    errors,
    errorsTruncated: entity.errorCount > entity.storedErrorCount,
    ignoredColumns: entity.ignoredColumns,
    createdAt: entity.createdAt.toISOString(),
    startedAt: entity.startedAt?.toISOString() ?? null,
    completedAt: entity.completedAt?.toISOString() ?? null,
    ...(entity.status === 'failed'
      ? { failureReason: entity.failureReason ?? 'Import failed.' }
      : {}),
  };
}
