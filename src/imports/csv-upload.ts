import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import Busboy from 'busboy';
import csvParser from 'csv-parser';
import { BadRequestProblem, ProblemException } from '../common/problem/problem.exception';

export const FILE_FIELD = 'file';

export class UploadTooLarge extends ProblemException {
  constructor(maxBytes: number) {
    super({
      status: 413,
      code: 'UPLOAD_TOO_LARGE',
      title: 'Content Too Large',
      detail: `The file exceeds the ${maxBytes}-byte import limit.`,
    });
  }
}

/** A file stream that knows whether busboy cut it at the size limit. */
export type UploadedFile = Readable & { truncated?: boolean };

/**
 * Streams a multipart request to `consume`, which receives the `file` part as it arrives: the
 * upload is never held in memory whole. Other parts are drained and ignored.
 */
export function receiveFilePart<T>(
  request: Readable & { headers: IncomingHttpHeaders },
  maxBytes: number,
  consume: (file: UploadedFile) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let busboy: Busboy.Busboy;
    try {
      busboy = Busboy({
        headers: request.headers,
        limits: { files: 1, fileSize: maxBytes, parts: 50 },
      });
    } catch {
      reject(new BadRequestProblem('MALFORMED_MULTIPART', 'The multipart body could not be read.'));
      return;
    }
    let consuming: Promise<T> | undefined;
    busboy.on('file', (name, stream) => {
      if (name !== FILE_FIELD || consuming) {
        stream.resume();
        return;
      }
      consuming = consume(stream);
      // Stop reading the request as soon as the consumer refuses the file.
      consuming.catch((error: Error) => {
        request.unpipe(busboy);
        stream.resume();
        reject(error);
      });
    });
    busboy.on('error', () =>
      reject(new BadRequestProblem('MALFORMED_MULTIPART', 'The multipart body could not be read.')),
    );
    busboy.on('close', () => {
      if (!consuming) {
        reject(new BadRequestProblem('FILE_REQUIRED', `The upload has no "${FILE_FIELD}" part.`));
        return;
      }
      consuming.then(resolve, reject);
    });
    request.pipe(busboy);
  });
}

/** Parses one CSV line (the header) with the same parser the import uses. */
export async function parseCsvLine(line: string, separator: string): Promise<string[]> {
  const parser = csvParser({ headers: false, separator, strict: false });
  parser.end(line);
  for await (const record of parser as AsyncIterable<Record<string, string>>) {
    return Object.values(record);
  }
  return [];
}

/** Finds the end of the first record: the first line break outside quotes. */
export function headerEnd(text: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if ((c === '\n' || c === '\r') && !quoted) return i;
  }
  return -1;
}
