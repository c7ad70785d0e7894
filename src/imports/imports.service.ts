import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { newId } from '../common/identifiers';
import { BadRequestProblem, NotFoundProblem } from '../common/problem/problem.exception';
import { CustomFieldsService } from '../custom-fields/custom-fields.service';
import {
  headerEnd,
  parseCsvLine,
  receiveFilePart,
  UploadedFile,
  UploadTooLarge,
} from './csv-upload';
import { analyzeHeader, detectDelimiter, HeaderAnalysis } from './import-columns';
import { ImportEntity, ImportRowError } from './import.entity';
import { ImportsRepository } from './imports.repository';
import { ImportDispatcher } from './queue/import-dispatcher';

/** Size of the stored file parts: big enough for few rows, small enough for any packet limit. */
const CHUNK_BYTES = 1024 * 1024;
/** A header must end within this many bytes. */
const MAX_HEADER_BYTES = 64 * 1024;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const notCsv = (detail: string) => new BadRequestProblem('INVALID_CSV_FILE', detail);

export class ImportNotFound extends NotFoundProblem {
  constructor(id: string) {
    super('IMPORT_NOT_FOUND', `Import ${id} was not found.`);
  }
}

@Injectable()
export class ImportsService {
  constructor(
    private readonly imports: ImportsRepository,
    private readonly fieldDefinitions: CustomFieldsService,
    private readonly dispatcher: ImportDispatcher,
    private readonly config: AppConfig,
  ) {}

  async status(
    tenantId: string,
    id: string,
  ): Promise<{ entity: ImportEntity; errors: ImportRowError[] }> {
    const entity = await this.imports.find(tenantId, id);
    if (!entity || entity.status === 'uploading') throw new ImportNotFound(id);
    return { entity, errors: await this.imports.errors(tenantId, id) };
  }

  /**
   * Stores the uploaded CSV in the database (readable by any worker), checks it is UTF-8 text
   * with a usable header, and queues it. Anything refused leaves nothing stored.
   */
  async upload(
    tenantId: string,
    userId: string,
    request: Readable & { headers: IncomingHttpHeaders },
  ): Promise<string> {
    const entity = Object.assign(new ImportEntity(), {
      tenantId,
      id: newId('import'),
      status: 'uploading',
      delimiter: ',',
      columns: [],
      ignoredColumns: [],
      fileSize: 0,
      chunkCount: 0,
      totalRows: 0,
      processedRows: 0,
      createdCount: 0,
      updatedCount: 0,
      failedCount: 0,
      errorCount: 0,
      storedErrorCount: 0,
      failureReason: null,
      createdBy: userId,
      createdAt: new Date(),
      startedAt: null,
      completedAt: null,
      dispatchedAt: null,
      dispatchSeq: 0,
    });
    await this.imports.insert(entity);
    try {
      const stored = await receiveFilePart(request, this.config.importMaxBytes, (file) =>
        this.store(entity, file),
      );
      await this.imports.setStatus(tenantId, entity.id, 'queued', stored);
    } catch (error) {
      await this.imports.delete(tenantId, entity.id);
      throw error;
    }
    // Queued now when Redis answers; stored either way, and swept onto the queue once it does.
    await this.dispatcher.dispatch({ tenantId, importId: entity.id });
    return entity.id;
  }

  private async store(entity: ImportEntity, file: UploadedFile): Promise<Partial<ImportEntity>> {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let size = 0;
    let chunkCount = 0;
    let headerText = '';
    let header: (HeaderAnalysis & { delimiter: string }) | undefined;

    const flush = async () => {
      if (pendingBytes === 0) return;
      await this.imports.appendChunk(
        entity.tenantId,
        entity.id,
        chunkCount++,
        Buffer.concat(pending),
      );
      pending = [];
      pendingBytes = 0;
    };

    for await (const data of file as AsyncIterable<Buffer>) {
      if (size === 0 && data.subarray(0, 5).toString('latin1') === '%PDF-') {
        throw notCsv('The file is a PDF, not a CSV file.');
      }
      size += data.length;
      if (data.includes(0)) throw notCsv('The file holds binary data, not CSV text.');
      let text: string;
      try {
        text = decoder.decode(data, { stream: true });
      } catch {
        throw notCsv('The file is not valid UTF-8 text.');
      }
      if (!header) {
        headerText += text;
        const end = headerEnd(headerText);
        if (end >= 0) header = await this.readHeader(entity.tenantId, headerText.slice(0, end));
        else if (headerText.length > MAX_HEADER_BYTES) throw notCsv('The header row is too long.');
      }
      pending.push(data);
      pendingBytes += data.length;
      if (pendingBytes >= CHUNK_BYTES) await flush();
    }
    if (file.truncated) throw new UploadTooLarge(this.config.importMaxBytes);
    try {
      decoder.decode();
    } catch {
      throw notCsv('The file is not valid UTF-8 text.');
    }
    const first = pending[0] ?? Buffer.alloc(0);
    const onlyBom =
      size <= 3 && (chunkCount > 0 ? false : BOM.subarray(0, size).equals(first.subarray(0, size)));
    if (size === 0 || onlyBom || (!header && headerText.trim() === '')) {
      throw notCsv('The file is empty.');
    }
    header ??= await this.readHeader(entity.tenantId, headerText);
    await flush();
    return {
      delimiter: header.delimiter,
      columns: header.columns,
      ignoredColumns: header.ignoredColumns,
      fileSize: size,
      chunkCount,
    };
  }

  private async readHeader(tenantId: string, line: string) {
    const clean = line.replace(/^\uFEFF/, '');
    if (clean.trim() === '') throw notCsv('The first row must be a header naming the columns.');
    const delimiter = detectDelimiter(clean);
    const cells = await parseCsvLine(clean, delimiter);
    const fields = await this.fieldDefinitions.list(tenantId, 'contact');
    return { delimiter, ...analyzeHeader(cells, fields) };
  }
}
