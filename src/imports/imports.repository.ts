import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, IsNull, LessThan, Repository } from 'typeorm';
import { ImportEntity, ImportRowError, ImportStatus } from './import.entity';

/** Row errors kept per import; the status shows the first ones. */
export const MAX_STORED_ERRORS = 1000;

export interface BatchOutcome {
  rows: number;
  created: number;
  updated: number;
  failed: number;
  errors: (ImportRowError & { columnIndex: number })[];
}

@Injectable()
export class ImportsRepository {
  constructor(@InjectRepository(ImportEntity) private readonly imports: Repository<ImportEntity>) {}

  find(tenantId: string, id: string, manager?: EntityManager): Promise<ImportEntity | null> {
    return (manager?.getRepository(ImportEntity) ?? this.imports).findOneBy({ tenantId, id });
  }

  /** Imports a restarted in-process worker must pick up again. */
  findUnfinished(): Promise<ImportEntity[]> {
    return this.imports.find({
      where: { status: In(['queued', 'processing']) },
      order: { createdAt: 'ASC' },
    });
  }

  /** Uploads a crashed API process never finished storing: invisible, and never to complete. */
  async deleteAbandonedUploads(startedBefore: Date): Promise<number> {
    const result = await this.imports.delete({
      status: 'uploading',
      createdAt: LessThan(startedBefore),
    });
    return result.affected ?? 0;
  }

  async insert(entity: ImportEntity): Promise<void> {
    await this.imports.insert(entity);
  }

  async update(tenantId: string, id: string, changes: Partial<ImportEntity>): Promise<void> {
    await this.imports.update({ tenantId, id }, changes);
  }

  /** Deletes an import with its file chunks and errors (foreign keys cascade). */
  async delete(tenantId: string, id: string): Promise<void> {
    await this.imports.delete({ tenantId, id });
  }

  async appendChunk(tenantId: string, importId: string, seq: number, data: Buffer): Promise<void> {
    await this.imports.manager
      .createQueryBuilder()
      .insert()
      .into('import_file_chunks')
      .values({ tenant_id: tenantId, import_id: importId, seq, data })
      .execute();
  }

  async readChunk(tenantId: string, importId: string, seq: number): Promise<Buffer | null> {
    const row = await this.imports.manager
      .createQueryBuilder()
      .select('c.data', 'data')
      .from('import_file_chunks', 'c')
      .where('c.tenant_id = :tenantId AND c.import_id = :importId AND c.seq = :seq', {
        tenantId,
        importId,
        seq,
      })
      .getRawOne<{ data: Buffer }>();
    return row ? row.data : null;
  }

  async errors(tenantId: string, importId: string): Promise<ImportRowError[]> {
    const rows = await this.imports.manager
      .createQueryBuilder()
      .select(['e.row_number AS rowNumber', 'e.column_name AS columnName', 'e.message AS message'])
      .from('import_row_errors', 'e')
      .where('e.tenant_id = :tenantId AND e.import_id = :importId', { tenantId, importId })
      .orderBy('e.row_number', 'ASC')
      .addOrderBy('e.column_index', 'ASC')
      .limit(MAX_STORED_ERRORS)
      .getRawMany<{ rowNumber: number | string; columnName: string | null; message: string }>();
    return rows.map((r) => ({
      row: Number(r.rowNumber),
      column: r.columnName,
      message: r.message,
    }));
  }

  /**
   * Records a batch's outcome in the transaction that wrote its contacts, so a retried job
   * resumes exactly after the last committed batch.
   */
  async recordBatch(
    entity: ImportEntity,
    outcome: BatchOutcome,
    manager: EntityManager,
  ): Promise<void> {
    const room = Math.max(0, MAX_STORED_ERRORS - entity.storedErrorCount);
    const kept = outcome.errors.slice(0, room);
    if (kept.length > 0) {
      await manager
        .createQueryBuilder()
        .insert()
        .into('import_row_errors')
        .values(
          kept.map((e) => ({
            tenant_id: entity.tenantId,
            import_id: entity.id,
            row_number: e.row,
            column_index: e.columnIndex,
            column_name: e.column,
            message: e.message.slice(0, 500),
          })),
        )
        .execute();
    }
    entity.processedRows += outcome.rows;
    entity.createdCount += outcome.created;
    entity.updatedCount += outcome.updated;
    entity.failedCount += outcome.failed;
    entity.storedErrorCount += kept.length;
    entity.errorCount += outcome.errors.length;
    await manager.getRepository(ImportEntity).update(
      { tenantId: entity.tenantId, id: entity.id },
      {
        processedRows: entity.processedRows,
        createdCount: entity.createdCount,
        updatedCount: entity.updatedCount,
        failedCount: entity.failedCount,
        storedErrorCount: entity.storedErrorCount,
        errorCount: entity.errorCount,
      },
    );
  }

  /** The committed progress, locked (on MySQL) until the batch's transaction ends. */
  async lockProgress(tenantId: string, id: string, manager: EntityManager): Promise<number> {
    const query = manager
      .getRepository(ImportEntity)
      .createQueryBuilder('i')
      .select(['i.tenantId', 'i.id', 'i.processedRows'])
      .where('i.tenant_id = :tenantId AND i.id = :id', { tenantId, id });
    // SQLite serializes transactions already (UnitOfWork); it has no row locks to take.
    if (manager.connection.options.type === 'mysql') query.setLock('pessimistic_write');
    const row = await query.getOne();
    return row?.processedRows ?? -1;
  }

  async setStatus(
    tenantId: string,
    id: string,
    status: ImportStatus,
    changes: Partial<ImportEntity> = {},
  ): Promise<void> {
    await this.imports.update({ tenantId, id }, { ...changes, status });
  }

  /** Imports whose job is not on the queue (ImportDispatcher's sweep), oldest first. */
  findUndispatched(limit: number): Promise<ImportEntity[]> {
    return this.imports.find({
      where: { status: In(['queued', 'processing']), dispatchedAt: IsNull() },
      order: { createdAt: 'ASC' },
      take: limit,
    });
  }

  /** Marks the dispatch done, unless the import was handed back meanwhile. */
  async markDispatched(tenantId: string, id: string, dispatchSeq: number): Promise<void> {
    await this.imports.update(
      { tenantId, id, dispatchSeq, dispatchedAt: IsNull() },
      { dispatchedAt: new Date() },
    );
  }

  /** A stopping worker's hand-back: undispatched again, under the next job id. */
  async releaseDispatch(tenantId: string, id: string): Promise<void> {
    await this.imports
      .createQueryBuilder()
      .update(ImportEntity)
      .set({ dispatchedAt: null, dispatchSeq: () => 'dispatch_seq + 1' })
      .where('tenant_id = :tenantId AND id = :id', { tenantId, id })
      .execute();
  }
}
