// Reads an editor's multipart upload into memory within limits: the form's fields (the CSRF field may
// come after the files, so nothing is acted on before the whole form is read) and each file, marked
// when it was cut at the size limit rather than failing the whole upload.
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../plugins/errors.ts';
import { isCleanText, NOT_TEXT } from '../plugins/input.ts';

export interface UploadedFile {
  field: string;
  filename: string;
  data: Buffer;
  /** Longer than the limit: data holds only its start. */
  truncated: boolean;
}

export interface Upload {
  fields: Record<string, string>;
  files: UploadedFile[];
}

export interface UploadLimits {
  files: number;
  fileSize: number;
}

export async function readUpload(req: FastifyRequest, limits: UploadLimits): Promise<Upload> {
  if (!req.isMultipart()) throw new HttpError(415, 'this form uploads files: send it as multipart/form-data');
  const upload: Upload = { fields: {}, files: [] };
  let parts = 0;
  for await (const part of req.parts({ limits: { files: limits.files, fileSize: limits.fileSize, fields: 10, fieldSize: 1000, fieldNameSize: 100, parts: limits.files + 10, headerPairs: 100 } })) {
    parts++;
    // Parts are read here, after the input plugin's checks: the same rule for their names and fields.
    const texts = part.type === 'file' ? [part.fieldname, part.filename] : [part.fieldname, typeof part.value === 'string' ? part.value : ''];
    if (!texts.every(isCleanText)) throw new HttpError(400, NOT_TEXT);
    if (part.type === 'file') {
      const data = await part.toBuffer();
      // An <input type=file> left empty still sends a part with no name and no bytes.
      if (part.filename === '' && data.length === 0) continue;
      upload.files.push({ field: part.fieldname, filename: part.filename, data, truncated: part.file.truncated });
    } else if (typeof part.value === 'string') {
      upload.fields[part.fieldname] = part.value;
    }
  }
  // A browser's form always sends its fields: no part at all is a body cut off or without a valid boundary.
  if (parts === 0) throw new HttpError(400, 'the upload holds no form parts: its multipart body is empty or malformed');
  return upload;
}
