/** Starts the serving image with its ports published on the host's loopback and waits until it is ready. */
import { freePort, waitForStatus } from './http';
import { type Container, runContainer } from './podman';

export interface Serving {
  readonly container: Container;
  /** `http://127.0.0.1:<host port>` of the serving port. */
  readonly url: string;
  readonly port: number;
  /** `http://127.0.0.1:<host port>` of the metrics port, when published. */
  readonly metricsUrl?: string;
  /** Milliseconds from `podman run` returning to the first 200 on the readiness path. */
  readonly readyAfterMs: number;
}

export interface ServeOptions {
  /** More `podman run` options (environment, user, mounts, --read-only). */
  readonly options?: readonly string[];
  readonly args?: readonly string[];
  /** The port the server listens on inside the container. @default 8080 */
  readonly containerPort?: number;
  /** Publish the metrics port (9090 inside) too. @default false */
  readonly publishMetrics?: boolean;
  /** @default '/health/ready' */
  readonly readyPath?: string;
}

export async function startServing(serve: ServeOptions = {}): Promise<Serving> {
  const port = await freePort();
  const ports = ['-p', `127.0.0.1:${port}:${serve.containerPort ?? 8080}`];
  let metricsUrl: string | undefined;
  if (serve.publishMetrics) {
    const metricsPort = await freePort();
    ports.push('-p', `127.0.0.1:${metricsPort}:9090`);
    metricsUrl = `http://127.0.0.1:${metricsPort}`;
  }
  const container = await runContainer({ options: [...ports, ...(serve.options ?? [])], args: serve.args });
  const url = `http://127.0.0.1:${port}`;
  try {
    const readyAt = await waitForStatus(`${url}${serve.readyPath ?? '/health/ready'}`, 200, 60_000, 10);
    return { container, url, port, metricsUrl, readyAfterMs: readyAt - container.startedAt };
  } catch (error) {
    throw new Error(`${(error as Error).message}\ncontainer logs:\n${await container.logs()}`);
  }
}

/** One JSON log line of the server (pino: `time` is an ISO timestamp). */
export interface LogLine {
  readonly level?: number;
  readonly time?: string;
  readonly msg?: string;
  readonly [key: string]: unknown;
}

export function parseLogLines(logs: string): LogLine[] {
  return logs
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as LogLine];
      } catch {
        return [];
      }
    });
}

/**
 * When the server reported that it listens on `port` (inside the container): Date.parse of the `time` of the
 * first log line whose message says it is listening at that port. The container shares the host's clock.
 */
export function listeningReportedAt(logs: string, port: number): number | undefined {
  const line = parseLogLines(logs).find(
    (l) => /listening/i.test(l.msg ?? '') && new RegExp(`:${port}\\b`).test(l.msg ?? ''),
  );
  return line?.time === undefined ? undefined : Date.parse(line.time);
}
