/**
 * Reading bounded request bodies and writing JSON responses. Responses carry `Connection: close`
 * once the app has stopped listening, so clients on kept-alive connections move elsewhere instead
 * of sending a request into a socket that is about to close.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export const maxBodyBytes = 64 * 1024;

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
}

export type BodyResult =
  | { readonly kind: 'ok'; readonly text: string }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'aborted' };

export interface Responder {
  json(res: ServerResponse, status: number, payload: unknown, headers?: OutgoingHttpHeaders): void;
  error(
    res: ServerResponse,
    status: number,
    code: string,
    message: string,
    field?: string,
    headers?: OutgoingHttpHeaders,
  ): void;
  text(res: ServerResponse, status: number, body: string, contentType: string): void;
}

/** `closing` is asked at response time, not request time: a request may outlive the listener. */
export function createResponder(closing: () => boolean): Responder {
  const write = (res: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders): void => {
    if (res.headersSent || res.destroyed) return;
    headers['content-length'] = Buffer.byteLength(body);
    if (closing()) headers.connection = 'close';
    res.writeHead(status, headers);
    res.end(body);
  };
  const json: Responder['json'] = (res, status, payload, headers = {}) =>
    write(res, status, JSON.stringify(payload), {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
    });
  return {
    json,
    error(res, status, code, message, field, headers) {
      const body: ErrorBody = { error: field === undefined ? { code, message } : { code, message, field } };
      json(res, status, body, headers);
    },
    text: (res, status, body, contentType) => write(res, status, body, { 'content-type': contentType }),
  };
}

/** True for `application/json` with any parameters (`; charset=utf-8`). */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const semi = header.indexOf(';');
  const type = (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase();
  return type === 'application/json';
}

/** Reads the body as UTF-8, stopping at `limit` bytes whatever Content-Length claims. */
export function readBody(req: IncomingMessage, limit: number = maxBodyBytes): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ kind: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (r: BodyResult): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      resolve(r);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        // Stop buffering; the caller answers 413 and closes the connection.
        req.pause();
        settle({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => settle({ kind: 'ok', text: Buffer.concat(chunks, size).toString('utf8') }));
    req.once('error', () => settle({ kind: 'aborted' }));
    req.once('close', () => settle({ kind: 'aborted' }));
  });
}
