import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly authorization?: string;
}

export interface FakeGcsOptions {
  /** bucket -> object name -> content. */
  readonly buckets: Record<string, Record<string, Buffer | string>>;
  /** Items per list page (to exercise pagination). @default 2 */
  readonly pageSize?: number;
  /** Answer this status to every call whose path contains the key (failure injection). */
  readonly failures?: Record<string, number>;
}

/**
 * A local stand-in for the GCS JSON API (the two calls the server makes): `GET /storage/v1/b/{bucket}/o` with
 * `prefix` and `pageToken`, and `GET /storage/v1/b/{bucket}/o/{object}?alt=media`. Records every call.
 */
export class FakeGcs {
  readonly calls: RecordedCall[] = [];
  private server: Server | undefined;

  constructor(private readonly options: FakeGcsOptions) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
    };
    this.calls.push(call);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    for (const [needle, status] of Object.entries(this.options.failures ?? {})) {
      if (decodeURIComponent(url.pathname + url.search).includes(needle)) {
        json(status, { error: { code: status, message: 'injected failure' } });
        return;
      }
    }
    const match = /^\/storage\/v1\/b\/([^/]+)\/o(?:\/(.+))?$/.exec(url.pathname);
    const bucket = match ? this.options.buckets[decodeURIComponent(match[1])] : undefined;
    if (!match || !bucket) {
      json(404, { error: { code: 404, message: 'Not Found' } });
      return;
    }
    if (match[2] === undefined) {
      const prefix = url.searchParams.get('prefix') ?? '';
      const names = Object.keys(bucket)
        .filter((n) => n.startsWith(prefix))
        .sort();
      const start = Number(url.searchParams.get('pageToken') ?? '0');
      const size = this.options.pageSize ?? 2;
      const page = names.slice(start, start + size);
      json(200, {
        kind: 'storage#objects',
        ...(page.length > 0 ? { items: page.map((name) => ({ name, bucket: match[1] })) } : {}),
        ...(start + size < names.length ? { nextPageToken: String(start + size) } : {}),
      });
      return;
    }
    const name = decodeURIComponent(match[2]);
    if (url.searchParams.get('alt') !== 'media' || bucket[name] === undefined) {
      json(404, { error: { code: 404, message: `No such object: ${name}` } });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(bucket[name]);
  }
}
