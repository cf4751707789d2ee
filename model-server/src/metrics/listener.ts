import { createServer, type Server } from 'node:http';
/** What the listener serves: one process's metrics (ServerMetrics) or the cluster primary's sum over workers. */
export interface MetricsSource {
  readonly contentType: string;
  render(): Promise<string>;
}

export interface MetricsListenerOptions {
  readonly metrics: MetricsSource;
  readonly host: string;
  readonly port: number;
  /** Headers must arrive within this. @default 5000 */
  readonly headersTimeoutMs?: number;
}

/**
 * How often Node checks the headers and request timeouts. Its default (30 s) let a slow client hold a
 * connection for up to 30 s past a 5 s headers timeout; the serving port uses the same 1 s.
 */
const CONNECTIONS_CHECKING_INTERVAL_MS = 1000;

/**
 * The metrics listener: `GET /metrics` on its own port, which the Kubernetes Service does not expose, so
 * scrapes come from inside the cluster only. A plain `node:http` server: one route needs no framework.
 */
export async function startMetricsListener(options: MetricsListenerOptions): Promise<Server> {
  const server = createServer(
    { connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS },
    (req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ error: { code: 'ROUTE_NOT_FOUND', message: 'only GET /metrics is served here' } }),
        );
        return;
      }
      options.metrics.render().then(
        (text) => {
          res.writeHead(200, { 'content-type': options.metrics.contentType });
          res.end(req.method === 'HEAD' ? undefined : text);
        },
        () => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'INTERNAL', message: 'could not collect metrics' } }));
        },
      );
    },
  );
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 10_000;
  server.headersTimeout = options.headersTimeoutMs ?? 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Closes the listener and its idle keep-alive connections. */
export function closeMetricsListener(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
