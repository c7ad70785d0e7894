import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Dialect, dialectOf } from '../../database/sql-dialect';
import { COUNTS_TABLE, CountBucket, CountDeltas, addCounts } from './contact-counts.sql';

export type { CountBucket, CountDeltas };

/**
 * Counts of live contacts per tenant and bucket, maintained by every write that creates,
 * deletes, archives or unarchives contacts, in that write's transaction.
 */
@Injectable()
export class ContactCounters {
  private readonly dialect: Dialect;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.dialect = dialectOf(dataSource.options.type);
  }

  add(manager: EntityManager, tenantId: string, deltas: CountDeltas): Promise<void> {
    return addCounts(
      (sql, parameters) => manager.query(sql, parameters),
      this.dialect,
      tenantId,
      deltas,
    );
  }

  async count(tenantId: string, bucket: CountBucket): Promise<number> {
    const rows: { n: number | string | null }[] = await this.dataSource.query(
      `SELECT SUM(n) AS n FROM ${COUNTS_TABLE} WHERE tenant_id = ? AND bucket = ?`,
      [tenantId, bucket],
    );
    return Number(rows[0]?.n ?? 0);
  }
}
