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
  HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are larger than the limit' },
  EXPECTATION_FAILED: { status: 417, title: 'The Expect header asks for something the server does not do' },
  CLIENT_CLOSED: { status: 499, title: 'The client closed the connection before the answer' },
  INTERNAL: { status: 500, title: 'Internal error' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** One problem with one field of one instance, e.g. `{ path: "instances[3].Age", message: "expected a number" }`. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Most entries of any list in an error response. A client controls how many problems its request has (rows,
 * instances, keys), so an error body must not grow with them; `detailsTotal` says how many there were.
 */
export const MAX_DETAILS = 100;

export class ServingError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** At most MAX_DETAILS problems. */
  readonly details: readonly FieldProblem[];
  /** How many problems there were in all (>= details.length). */
  readonly detailsTotal: number;

  /**
   * @param details the problems; only the first MAX_DETAILS are kept.
   * @param detailsTotal how many problems there were, when the caller stopped collecting them early.
   */
  constructor(code: ErrorCode, message: string, details: readonly FieldProblem[] = [], detailsTotal = 0) {
    super(message);
    this.name = 'ServingError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.details = details.length > MAX_DETAILS ? details.slice(0, MAX_DETAILS) : details;
    this.detailsTotal = Math.max(detailsTotal, details.length);
  }

  /** The native JSON body: stable code, human message, per-field problems (and their count when capped). */
  toJSON(): {
    error: { code: ErrorCode; message: string; details?: readonly FieldProblem[]; detailsTotal?: number };
  } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details.length > 0 ? { details: this.details } : {}),
        ...(this.detailsTotal > this.details.length ? { detailsTotal: this.detailsTotal } : {}),
      },
    };
  }
}

/**
 * Collects the problems of a request up to MAX_DETAILS and counts the rest, so neither memory nor the error
 * grows with a hostile request (and no `push(...spread)` of a client-sized list).
 */
export class ProblemList {
  readonly items: FieldProblem[] = [];
  total = 0;

  add(problem: FieldProblem): void {
    this.total += 1;
    if (this.items.length < MAX_DETAILS) this.items.push(problem);
  }

  /** Counts a problem, building its description only while there is room to list it. */
  addLazy(problem: () => FieldProblem): void {
    if (this.items.length < MAX_DETAILS) this.add(problem());
    else this.total += 1;
  }

  /** Adds another error's problems (and its uncounted ones). */
  addAll(from: ServingError): void {
    for (const d of from.details) this.add(d);
    this.total += from.detailsTotal - from.details.length;
  }

  get empty(): boolean {
    return this.total === 0;
  }
}

export function isServingError(e: unknown): e is ServingError {
  return e instanceof ServingError;
}
