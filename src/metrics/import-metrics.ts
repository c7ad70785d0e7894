import { Counter, Registry } from 'prom-client';

/** What the import runner reports: one call per committed batch. */
export abstract class ImportMetrics {
  abstract batchCommitted(rows: number, failed: number): void;
}

/** METRICS_ENABLED=false: nothing is counted. */
export class NoImportMetrics extends ImportMetrics {
  batchCommitted(): void {}
}

export class PrometheusImportMetrics extends ImportMetrics {
  private readonly processed: Counter;
  private readonly failed: Counter;

  constructor(registry: Registry) {
    super();
    this.processed = new Counter({
      name: 'contacts_import_rows_processed_total',
      help: 'CSV import data rows whose outcome is committed (created, updated or failed)',
      registers: [registry],
    });
    this.failed = new Counter({
      name: 'contacts_import_rows_failed_total',
      help: 'CSV import data rows skipped for an invalid cell (part of the processed rows)',
      registers: [registry],
    });
  }

  batchCommitted(rows: number, failed: number): void {
    this.processed.inc(rows);
    this.failed.inc(failed);
  }
}
