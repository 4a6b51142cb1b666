/**
 * The one error type of the store and the API server. The HTTP layer turns it into a `Status`
 * object unchanged, so the code/reason/message here are exactly what kubectl prints
 * (`Error from server (NotFound): pods "nope" not found`).
 */

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  /** The `Status` body the API server sends for this error. */
  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `pods` + group `apps` → `deployments.apps`, the way upstream names resources in messages. */
function qualified(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export const errors = {
  notFound(resource: string, name: string, group = ''): ApiError {
    return new ApiError(404, 'NotFound', `${qualified(resource, group)} "${name}" not found`, {
      name,
      ...(group ? { group } : {}),
      kind: resource,
    });
  },
  pathNotFound(): ApiError {
    return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  },
  alreadyExists(resource: string, name: string, group = ''): ApiError {
    return new ApiError(409, 'AlreadyExists', `${qualified(resource, group)} "${name}" already exists`, {
      name,
      ...(group ? { group } : {}),
      kind: resource,
    });
  },
  conflict(resource: string, name: string, group = '', why?: string): ApiError {
    const reasonText =
      why ?? 'the object has been modified; please apply your changes to the latest version and try again';
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": ${reasonText}`,
      { name, ...(group ? { group } : {}), kind: resource },
    );
  },
  invalid(kind: string, name: string, causes: StatusCause[], group = ''): ApiError {
    const text = causes.map((c) => `${c.field ?? ''}: ${c.message ?? ''}`).join(', ');
    return new ApiError(422, 'Invalid', `${kind}${group ? '.' + group : ''} "${name}" is invalid: ${text}`, {
      name,
      ...(group ? { group } : {}),
      kind,
      causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', ...c })),
    });
  },
  badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  },
  forbidden(resource: string, name: string, why: string, group = ''): ApiError {
    return new ApiError(403, 'Forbidden', `${qualified(resource, group)} "${name}" is forbidden: ${why}`, {
      name,
      kind: resource,
    });
  },
  expired(message: string): ApiError {
    return new ApiError(410, 'Expired', message);
  },
  methodNotAllowed(): ApiError {
    return new ApiError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
  },
  unsupportedMediaType(contentType: string, accepted: readonly string[]): ApiError {
    return new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format "${contentType}" - accepted media types include: ${accepted.join(', ')}`,
    );
  },
  tooLarge(limit: number): ApiError {
    return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
  },
  unauthorized(): ApiError {
    return new ApiError(401, 'Unauthorized', 'Unauthorized');
  },
  tooManyRequests(message: string, details?: StatusDetails): ApiError {
    return new ApiError(429, 'TooManyRequests', message, details);
  },
  internal(message: string): ApiError {
    return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`);
  },
};
