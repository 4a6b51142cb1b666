/**
 * Errors the kubelet raises to its caller. `code`/`reason` are the HTTP status and Status reason
 * the API server should answer with, so the assembler converts them without a lookup table
 * (`kubectl logs` for an unknown container prints exactly the kubelet's message).
 */
export type KubeletErrorReason = 'BadRequest' | 'NotFound' | 'Conflict' | 'Invalid';

const codes: Record<KubeletErrorReason, number> = {
  BadRequest: 400,
  NotFound: 404,
  Conflict: 409,
  Invalid: 422,
};

export class KubeletError extends Error {
  readonly code: number;
  readonly reason: KubeletErrorReason;
  constructor(reason: KubeletErrorReason, message: string) {
    super(message);
    this.name = 'KubeletError';
    this.reason = reason;
    this.code = codes[reason];
  }
}
