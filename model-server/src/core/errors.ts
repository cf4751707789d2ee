/**
 * The one error catalogue of the server. Every failure a client can cause has a stable code and an HTTP
 * status here; each protocol adapter renders a ServingError in its own shape (native/SageMaker/Vertex:
 * `{"error": {"code", "message", "details"}}`, Open Inference V2: `{"error": "message"}`).
 * Messages name the field and what was expected, and never carry a stack trace.
 */

export const ERROR_CATALOGUE = {
  BAD_JSON: { status: 400, title: 'The request body is not valid JSON' },
  BAD_REQUEST: { status: 400, title: 'The request does not have the expected shape' },
  INVALID_INPUT: { status: 400, title: 'An instance does not match the model inputs' },
  BATCH_TOO_LARGE: { status: 400, title: 'Too many instances in one request' },
  UNAUTHENTICATED: { status: 401, title: 'A valid API key is required' },
  MODEL_NOT_FOUND: { status: 404, title: 'No model with that name is loaded' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed on this route' },
  NOT_ACCEPTABLE: { status: 406, title: 'The requested response type is not supported' },
  BODY_TOO_LARGE: { status: 413, title: 'The request body is larger than the limit' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request content type is not supported' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request took too long to arrive' },
  OVERLOADED: { status: 503, title: 'The server is at its concurrency limit; retry later' },
  NOT_READY: { status: 503, title: 'The server is not ready' },
  INTERNAL: { status: 500, title: 'Internal error' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** One problem with one field of one instance, e.g. `{ path: "instances[3].Age", message: "expected a number" }`. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

export class ServingError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: readonly FieldProblem[];

  constructor(code: ErrorCode, message: string, details: readonly FieldProblem[] = []) {
    super(message);
    this.name = 'ServingError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.details = details;
  }

  /** The native JSON body: stable code, human message, per-field problems. */
  toJSON(): { error: { code: ErrorCode; message: string; details?: readonly FieldProblem[] } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details.length > 0 ? { details: this.details } : {}),
      },
    };
  }
}

export function isServingError(e: unknown): e is ServingError {
  return e instanceof ServingError;
}
