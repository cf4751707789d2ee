/**
 * A keep-alive client may pipeline: send its next request before the answer to the last one. When that next
 * request is broken HTTP, the answer to it is written straight to the socket, and it must not overtake or cut
 * off the answer still being computed for the request before it: answers go out in request order.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { RawConnection } from '../helpers/http';
import { exampleOf, makeApp } from '../helpers/server-app';

let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  ({ app } = await makeApp({ maxBatchSize: 5000 }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(() => app.close());

it('answers a valid request in full before the 400 for broken HTTP pipelined behind it', async () => {
  const bank = await exampleOf('bankchurn');
  // Explained and large enough to be scored in slices: the broken request arrives while it is in progress.
  const body = JSON.stringify({
    instances: Array.from({ length: 2000 }, () => bank),
    parameters: { explain: true },
  });
  const conn = await RawConnection.open(port);
  conn.write(
    `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` +
      'NOT HTTP AT ALL\r\n\r\n',
  );
  const first = await conn.response();
  expect(first.status).toBe(200);
  expect((JSON.parse(first.body) as { predictions: unknown[] }).predictions).toHaveLength(2000);
  const second = await conn.response();
  expect(second.status).toBe(400);
  expect(JSON.parse(second.body)).toMatchObject({ error: { code: 'BAD_REQUEST' } });
  await conn.closedAt;
});

it('answers two valid pipelined requests in order, the second after the first', async () => {
  const bank = await exampleOf('bankchurn');
  const big = JSON.stringify({
    instances: Array.from({ length: 2000 }, () => bank),
    parameters: { explain: true },
  });
  const small = JSON.stringify({ instances: [bank] });
  const conn = await RawConnection.open(port);
  const post = (b: string) =>
    `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`;
  conn.write(post(big) + post(small));
  const first = await conn.response();
  expect((JSON.parse(first.body) as { predictions: unknown[] }).predictions).toHaveLength(2000);
  const second = await conn.response();
  expect((JSON.parse(second.body) as { predictions: unknown[] }).predictions).toHaveLength(1);
  conn.destroy();
});
