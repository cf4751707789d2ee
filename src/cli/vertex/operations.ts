import { CommandError } from '../usage-error';
import type { RestClient } from './rest-client';
import { sleep as realSleep } from './rest-client';

/** A google.longrunning.Operation as the REST APIs return it. */
export interface Operation {
  readonly name: string;
  readonly done?: boolean;
  readonly error?: { readonly code?: number; readonly message?: string };
  readonly response?: Readonly<Record<string, unknown>>;
}

export interface WaitOptions {
  /** What the operation does, for progress and errors, e.g. `deployModel`. */
  readonly label: string;
  /** URL of the operation, from its name. */
  readonly pollUrl: (name: string) => string;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  /** One line per poll. */
  readonly progress: (line: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Polls a long-running operation until it is done. A failed operation throws with the API's message; one
 * still running after `timeoutMs` throws naming the operation, so it can be looked up or waited for again.
 */
export async function waitForOperation(
  client: RestClient,
  first: Operation,
  options: WaitOptions,
): Promise<Operation> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const started = now();
  let operation = first;
  for (;;) {
    if (operation.done) {
      if (operation.error) {
        const code = operation.error.code === undefined ? '' : ` (code ${operation.error.code})`;
        throw new CommandError(
          `${options.label} failed: ${operation.error.message ?? 'no message'}${code} [operation ${operation.name}]`,
        );
      }
      return operation;
    }
    const elapsed = now() - started;
    if (elapsed >= options.timeoutMs) {
      throw new CommandError(
        `${options.label} timed out after ${formatDuration(options.timeoutMs)}: operation ${operation.name} is still running`,
      );
    }
    options.progress(
      `${options.label}: running for ${formatDuration(elapsed)} (operation ${operation.name})`,
    );
    await sleep(Math.min(options.pollIntervalMs, Math.max(1, options.timeoutMs - elapsed)));
    operation = await client.request<Operation>('GET', options.pollUrl(operation.name));
  }
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
