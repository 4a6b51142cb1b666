/** Request body reading (bounded) and JSON/Status replies. Every reply is `application/json`. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, errors, type StatusDetails } from '../store/errors.ts';
import { decodeProtobufObject } from './protobuf/decode.ts';

export const kDefaultMaxBodyBytes = 3 * 1024 * 1024;

/** Reads the whole body; past `limit` bytes it stops buffering and fails with 413. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(errors.tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(errors.tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => failed || resolve(Buffer.concat(chunks)));
    req.on(
      'error',
      (err) => failed || reject(errors.badRequest(`reading the request body failed: ${err.message}`)),
    );
  });
}

const kBodyTypes = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

export type BodyFormat = 'json' | 'yaml' | 'protobuf';

/** JSON, YAML or (typed kubectl) protobuf; a missing Content-Type is JSON (kubectl's scale PUT sends none). */
export function checkBodyType(contentType: string | undefined): BodyFormat {
  const media = String(contentType ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (media === '' || media === 'application/json' || media === '*/*') return 'json';
  if (media === 'application/yaml') return 'yaml';
  if (media === 'application/vnd.kubernetes.protobuf') return 'protobuf';
  throw errors.unsupportedMediaType(media, kBodyTypes);
}

export function parseJsonBody(body: Buffer, what: string, format: BodyFormat = 'json'): unknown {
  if (format === 'protobuf') return decodeProtobufObject(body);
  const text = body.toString('utf8');
  if (format === 'yaml') {
    try {
      return parseYaml(text);
    } catch (err) {
      throw errors.badRequest(`couldn't get version/kind; yaml parse error: ${(err as Error).message}`);
    }
  }
  if (!text.trim()) throw errors.badRequest(`the request body is empty: a ${what} JSON document is required`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return errors.internal(err instanceof Error ? err.message : String(err));
}

export function sendError(res: ServerResponse, err: unknown): void {
  const apiErr = toApiError(err);
  if (apiErr.code === 413) res.setHeader('Connection', 'close');
  if (apiErr.code === 429 && apiErr.details?.retryAfterSeconds)
    res.setHeader('Retry-After', String(apiErr.details.retryAfterSeconds));
  sendJson(res, apiErr.code, apiErr.toStatus());
}

export function successStatus(code: number, details?: StatusDetails): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    ...(details ? { details } : {}),
    code,
  };
}
