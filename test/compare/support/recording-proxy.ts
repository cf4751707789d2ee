import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedCall {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * A local stand-in for a cloud's front door (the SageMaker runtime API, Vertex AI's predict API, a
 * Kubernetes load balancer): it records every call and, as the cloud does, forwards the body to the
 * container behind it (our server, started in that platform's mode) through `route`. `failFirst` answers
 * the first calls with the cloud's throttling error instead.
 */
export class RecordingProxy {
  readonly calls: ProxiedCall[] = [];
  failFirst = 0;
  failStatus = 429;
  failBody = '{"message":"Rate exceeded"}';
  failHeaders: Record<string, string> = {};
  private server?: Server;
  url = '';

  constructor(
    /** Where the container listens, and which of its paths and headers a call goes to; undefined: 404. */
    private readonly route: (
      call: ProxiedCall,
    ) => { url: string; headers: Record<string, string> } | undefined,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const call = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.calls.push(call);
        if (this.calls.length <= this.failFirst) {
          res.writeHead(this.failStatus, { 'content-type': 'application/json', ...this.failHeaders });
          res.end(this.failBody);
          return;
        }
        const target = this.route(call);
        if (!target) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end('{"message":"no such route"}');
          return;
        }
        const answer = await fetch(target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...target.headers },
          body: call.body,
        });
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
