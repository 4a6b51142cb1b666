import { describe, expect, it } from 'vitest';
import { RequestTimeoutError, classifyError, classifyStatus } from '../../lib/load/native/classify.ts';

const coded = (code: string, cause?: unknown) => Object.assign(new Error(code), { code, cause });

describe('error classification', () => {
  it('maps socket, timeout and refusal codes, following the cause chain', () => {
    expect(classifyError(coded('ECONNREFUSED'))).toBe('refused');
    expect(classifyError(coded('UND_ERR_SOCKET', coded('ECONNREFUSED')))).toBe('refused');
    expect(classifyError(coded('ECONNRESET'))).toBe('reset');
    expect(classifyError(coded('UND_ERR_SOCKET'))).toBe('reset');
    expect(classifyError(coded('EPIPE'))).toBe('reset');
    expect(classifyError(coded('UND_ERR_HEADERS_TIMEOUT'))).toBe('timeout');
    expect(classifyError(coded('UND_ERR_BODY_TIMEOUT'))).toBe('timeout');
    expect(classifyError(coded('UND_ERR_CONNECT_TIMEOUT'))).toBe('timeout');
    expect(classifyError(new RequestTimeoutError(100))).toBe('timeout');
    expect(classifyError(new Error('weird'))).toBe('other');
    expect(classifyError('not an error')).toBe('other');
  });

  it('maps unexpected statuses by class', () => {
    expect(classifyStatus(404)).toBe('status-4xx');
    expect(classifyStatus(503)).toBe('status-5xx');
    expect(classifyStatus(302)).toBe('status-other');
  });
});
