/**
 * A stand-in for the Cloud Storage JSON API on the host's loopback, for AIP_STORAGE_URI=gs://… downloads
 * (the container reaches it through STORAGE_EMULATOR_HOST). It serves a bucket from a local folder, records
 * every call, and can be told to fail object downloads.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
}

export interface FakeGcsOptions {
  /** Bucket name → local folder whose files are the bucket's objects (object name = relative path). */
  readonly buckets: Readonly<Record<string, string>>;
  /** Answer object downloads with this status and a JSON error instead of the content. */
  readonly failDownloadsWith?: number;
}

export class FakeGcs {
  readonly calls: RecordedCall[] = [];
  private server?: http.Server;

  constructor(private readonly options: FakeGcsOptions) {}

  /** Listens on 127.0.0.1 (a free port); resolves with the emulator host URL `http://127.0.0.1:PORT`. */
  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private objects(bucket: string): Map<string, string> {
    const root = this.options.buckets[bucket];
    const out = new Map<string, string>();
    if (root === undefined) return out;
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else out.set(path.relative(root, full).split(path.sep).join('/'), full);
      }
    };
    walk(root);
    return out;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake-gcs');
    const query = Object.fromEntries(url.searchParams);
    const answer = this.answer(req.method ?? 'GET', url.pathname, query);
    this.calls.push({ method: req.method ?? 'GET', path: url.pathname, query, status: answer.status });
    const data = Buffer.isBuffer(answer.body) ? answer.body : Buffer.from(JSON.stringify(answer.body));
    res.writeHead(answer.status, { 'content-type': answer.type, 'content-length': data.length });
    res.end(data);
  }

  /**
   * JSON API: list `/storage/v1/b/{bucket}/o?prefix=`; get `/storage/v1/b/{bucket}/o/{object}` (`alt=media`:
   * the content), also under the `/download` prefix that media downloads may use.
   */
  private answer(
    method: string,
    pathname: string,
    query: Readonly<Record<string, string>>,
  ): { status: number; body: unknown; type: string } {
    const json = (status: number, body: unknown) => ({ status, body, type: 'application/json' });
    const error = (status: number, message: string) => json(status, { error: { code: status, message } });
    const match = /^(?:\/download)?\/storage\/v1\/b\/([^/]+)\/o(?:\/(.+))?$/.exec(pathname);
    if (method !== 'GET' || match === null) return error(404, `not found: ${method} ${pathname}`);
    const bucket = decodeURIComponent(match[1]);
    if (this.options.buckets[bucket] === undefined) return error(404, 'The specified bucket does not exist.');
    const objects = this.objects(bucket);
    if (match[2] === undefined) {
      const prefix = query.prefix ?? '';
      const items = [...objects.entries()]
        .filter(([name]) => name.startsWith(prefix))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, file]) => ({
          kind: 'storage#object',
          bucket,
          name,
          size: String(fs.statSync(file).size),
        }));
      return json(200, { kind: 'storage#objects', items });
    }
    const name = decodeURIComponent(match[2]);
    const file = objects.get(name);
    if (file === undefined) return error(404, `No such object: ${bucket}/${name}`);
    if (query.alt !== 'media') return json(200, { kind: 'storage#object', bucket, name });
    if (this.options.failDownloadsWith !== undefined) {
      return error(this.options.failDownloadsWith, `download of ${bucket}/${name} refused by the test`);
    }
    return { status: 200, body: fs.readFileSync(file), type: 'application/octet-stream' };
  }
}
