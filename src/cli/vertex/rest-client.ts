import type { TokenSource } from './access-token';

/** Statuses worth another try: rate limits and transient server faults (Google's retry guidance). */
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

export interface RetryPolicy {
  /** Tries in all, the first included. @default 5 */
  readonly attempts: number;
  /** Delay before the first retry; doubled for each next one (plus up to 25% jitter). @default 1000 */
  readonly baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1000 };

/** An error answer of a Google API: its HTTP status and the API's own message. */
export class GoogleApiError extends Error {
  override readonly name = 'GoogleApiError';
  constructor(
    readonly status: number,
    readonly apiStatus: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface RestClientOptions {
  readonly token: TokenSource;
  readonly retry?: RetryPolicy;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told about each retry. @default nothing */
  readonly onRetry?: (message: string) => void;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** JSON over HTTPS with a bearer token, retrying 429/5xx and network errors with exponential backoff. */
export class RestClient {
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: RestClientOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.sleep = options.sleep ?? sleep;
  }

  async request<T>(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${await this.options.token()}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (error) {
        if (attempt >= this.retry.attempts) {
          throw new GoogleApiError(0, undefined, `${method} ${url} failed: ${(error as Error).message}`);
        }
        await this.backoff(attempt, `${method} ${url}: ${(error as Error).message}`);
        continue;
      }
      const text = await response.text();
      if (response.ok) {
        try {
          return (text === '' ? {} : JSON.parse(text)) as T;
        } catch {
          throw new GoogleApiError(
            response.status,
            undefined,
            `${method} ${url} answered with text that is not JSON`,
          );
        }
      }
      const error = apiError(response.status, text);
      if (!RETRYABLE_STATUS.has(response.status) || attempt >= this.retry.attempts) throw error;
      const after = Number(response.headers.get('retry-after'));
      await this.backoff(attempt, `${method} ${url}: ${response.status} ${error.message}`, after);
    }
  }

  private async backoff(attempt: number, what: string, retryAfterSeconds?: number): Promise<void> {
    const exponential = this.retry.baseDelayMs * 2 ** (attempt - 1);
    const delay =
      retryAfterSeconds && Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0
        ? Math.max(retryAfterSeconds * 1000, exponential)
        : exponential + Math.floor(Math.random() * exponential * 0.25);
    this.options.onRetry?.(
      `${what}; retry ${attempt}/${this.retry.attempts - 1} in ${(delay / 1000).toFixed(1)}s`,
    );
    await this.sleep(delay);
  }
}

/** Google's error body is `{"error": {"code", "message", "status"}}`; anything else is shown as text. */
function apiError(status: number, text: string): GoogleApiError {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string; status?: string } };
    if (parsed.error?.message) return new GoogleApiError(status, parsed.error.status, parsed.error.message);
  } catch {
    // not JSON: fall through
  }
  return new GoogleApiError(status, undefined, text.trim().slice(0, 300) || `HTTP ${status}`);
}
