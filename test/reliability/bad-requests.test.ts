/**
 * 10,000 seeded bad requests against the real server (fuzzed and truncated JSON, wrong types, huge numbers,
 * NaN/Infinity, deep nesting, batches over the limit, bodies over the limit, bad content types, lying
 * Content-Length, broken HTTP, bad routes), then slow clients that trickle bytes past the server's
 * timeouts. Every request must get a 4xx JSON error without a stack trace (or, for requests broken at the
 * HTTP level, a closed connection); the process must stay up; RSS must come back near where it started.
 *
 * Memory: RSS is read from /proc after a settle period rather than after a forced GC (the server is not
 * started with --expose-gc, as in production). V8 keeps some of the heap it grew to, so the bound is
 * generous (RSS_GROWTH_LIMIT_MIB); a leak of the bodies themselves (≈ 10,000 × up to 1 MB) would exceed it.
 */
import { BUNDLED_MODELS_DIR, readBundleMetadata, requestBodies } from '../../bench/harness/instances';
import { httpStatus, postJson, readMemory, sleep } from '../../bench/harness/process';
import { badRequests } from './support/bad-requests';
import { errorAnswerProblem, type RawOutcome, sendRaw } from './support/raw-http';
import { BANKCHURN_DIR, startServer, type TestServer } from './support/server';

const COUNT = 10_000;
const SEED = 424242;
const OVERSIZED = 10;
const CONCURRENCY = 16;
const MAX_BATCH_SIZE = 100;
const BODY_LIMIT_BYTES = 1024 * 1024;
const REQUEST_TIMEOUT_SECONDS = 3;
const HEADERS_TIMEOUT_SECONDS = 2;
const RSS_GROWTH_LIMIT_MIB = 150;

describe('10,000 bad requests', () => {
  let server: TestServer;
  const metadata = readBundleMetadata(`${BUNDLED_MODELS_DIR}/bankchurn`);
  const valid = requestBodies(metadata, { count: 50, batchSize: 2, explain: true, seed: 1 });

  beforeAll(async () => {
    server = await startServer({
      MODEL_DIR: BANKCHURN_DIR,
      MAX_BATCH_SIZE: String(MAX_BATCH_SIZE),
      BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES),
      REQUEST_TIMEOUT_SECONDS: String(REQUEST_TIMEOUT_SECONDS),
      HEADERS_TIMEOUT_SECONDS: String(HEADERS_TIMEOUT_SECONDS),
      LOG_LEVEL: 'warn',
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  test('each gets a 4xx JSON error (or a close, when the HTTP itself is broken); the server stays up', async () => {
    // Warm up on valid traffic so the baseline RSS includes the JIT-compiled serving path.
    for (const body of valid)
      expect((await postJson(server.url('/v1/models/bankchurn:predict'), body)).status).toBe(200);
    await sleep(1000);
    const baseline = readMemory(server.pid);

    const cases = [
      ...badRequests(
        metadata,
        { model: 'bankchurn', maxBatchSize: MAX_BATCH_SIZE, bodyLimitBytes: BODY_LIMIT_BYTES },
        {
          count: COUNT,
          seed: SEED,
          oversized: OVERSIZED,
        },
      ),
    ];
    // Unacceptable answers by kind: how many, and the first one in full.
    const failures = new Map<string, { count: number; first: string }>();
    const outcomes = new Map<string, Map<string, number>>();
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < cases.length; i = next++) {
        const c = cases[i]!;
        const outcome = await sendRaw({
          port: server.port,
          bytes: c.bytes,
          endAfterWrite: c.endAfterWrite,
          timeoutMs: 15_000,
        });
        const key = outcome.kind === 'response' ? String(outcome.status) : outcome.kind;
        const byKind = outcomes.get(c.kind) ?? new Map<string, number>();
        byKind.set(key, (byKind.get(key) ?? 0) + 1);
        outcomes.set(c.kind, byKind);
        const problem =
          c.expect === 'error-or-close' && outcome.kind === 'closed'
            ? undefined
            : errorAnswerProblem(outcome);
        if (problem) {
          const seen = failures.get(c.kind);
          if (seen) seen.count++;
          else
            failures.set(c.kind, {
              count: 1,
              first: describeFailure(c.index, c.kind, c.bytes, problem, outcome),
            });
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    const table = [...outcomes.entries()]
      .sort()
      .map(([kind, m]) => `  ${kind.padEnd(22)} ${[...m.entries()].map(([k, v]) => `${k}×${v}`).join(' ')}`)
      .join('\n');
    process.stdout.write(`bad requests by kind and outcome:\n${table}\n`);
    expect(server.running.child.exitCode).toBeNull();

    // Still serving, and memory back near its baseline.
    expect(await httpStatus(server.url('/health/live'))).toBe(200);
    expect((await postJson(server.url('/v1/models/bankchurn:predict'), valid[0]!)).status).toBe(200);
    await sleep(5000);
    const after = readMemory(server.pid);
    process.stdout.write(
      `RSS baseline ${baseline.rssMiB.toFixed(1)} MiB, peak ${after.peakRssMiB.toFixed(1)} MiB, ` +
        `after settling ${after.rssMiB.toFixed(1)} MiB\n`,
    );
    expect(after.rssMiB - baseline.rssMiB).toBeLessThan(RSS_GROWTH_LIMIT_MIB);
    expect([...failures.values()].map((f) => `${f.count} like ${f.first}`)).toEqual([]);
  });

  test('slow clients that trickle bytes are cut off at the server timeouts with 408 or a close', async () => {
    const path = '/v1/models/bankchurn:predict';
    const body = valid[0]!;
    const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const started = performance.now();
    const slow: Promise<RawOutcome>[] = [];
    for (let i = 0; i < 10; i++) {
      // Headers at once, then the body one byte per 200 ms: would take minutes.
      slow.push(
        sendRaw({
          port: server.port,
          bytes: Buffer.from(head + body),
          timeoutMs: 20_000,
          trickle: { chunkBytes: 1, intervalMs: 200 },
        }),
      );
      // Headers one byte per 200 ms (slowloris).
      slow.push(
        sendRaw({
          port: server.port,
          bytes: Buffer.from(head),
          timeoutMs: 20_000,
          trickle: { chunkBytes: 1, intervalMs: 200 },
        }),
      );
    }
    // Meanwhile the server keeps serving others.
    expect((await postJson(server.url(path), body)).status).toBe(200);
    const outcomes = await Promise.all(slow);
    const elapsed = performance.now() - started;
    const summary = outcomes.map((o) =>
      o.kind === 'response' ? `${o.status}@${o.ms.toFixed(0)}ms` : `${o.kind}@${o.ms.toFixed(0)}ms`,
    );
    process.stdout.write(`slow clients: ${summary.join(' ')}\n`);
    for (const o of outcomes) {
      if (o.kind === 'response') {
        expect(o.status).toBe(408);
        expect(errorAnswerProblem(o)).toBeUndefined();
      } else {
        expect(o.kind).toBe('closed');
      }
      // Cut within the request timeout plus Node's 1 s check interval and some slack, never left hanging.
      expect(o.ms).toBeLessThan((REQUEST_TIMEOUT_SECONDS + 3) * 1000);
    }
    expect(elapsed).toBeLessThan(15_000);
    expect(server.running.child.exitCode).toBeNull();
    expect(await httpStatus(server.url('/health/live'))).toBe(200);
  });
});

function describeFailure(
  index: number,
  kind: string,
  bytes: Buffer,
  problem: string,
  outcome: RawOutcome,
): string {
  const request = bytes.subarray(0, 160).toString('latin1').replace(/\r\n/g, '⏎');
  const answer =
    outcome.kind === 'response'
      ? `${outcome.status} ${outcome.headers['content-type'] ?? ''} ${outcome.body.slice(0, 200)}`
      : outcome.kind;
  return `#${index} ${kind}: ${problem}; sent ${JSON.stringify(request)}${bytes.length > 160 ? '…' : ''}; got ${answer}`;
}
