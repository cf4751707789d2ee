/**
 * `npm run bench:hostile [-- --entry path/to/main.js]`: what each hostile or careless request of issue 8 costs
 * the built server, one figure per item, so the server before and after a change can be compared (point
 * `--entry` at another build, e.g. one of an older commit). Spawns the server on loopback ports and prints
 * one line per item: what was sent, and what came back (status, bytes, time, peak RSS rise, ...).
 * `--only 2` runs only item 2 of the slow items 1 and 2 (the others are quick and always run).
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BUNDLED_MODELS_DIR, readBundleMetadata, validInstance } from './harness/instances';
import { LOOP_MONITOR, type LoopStall, loopStall } from './harness/loop-stalls';
import {
  cpuSeconds,
  freePort,
  type RunningServer,
  readMemory,
  sleep,
  spawnServer,
  stopServer,
  waitFor200,
} from './harness/process';
import { Rng } from './harness/random';
import { REPO_ROOT, SERVER_NODE_FLAGS } from './harness/servers';

const entryArg = process.argv.indexOf('--entry');
const ENTRY = resolve(
  entryArg > 0 ? process.argv[entryArg + 1]! : join(REPO_ROOT, 'model-server', 'dist', 'main.js'),
);
const BANKCHURN = join(BUNDLED_MODELS_DIR, 'bankchurn');
const onlyArg = process.argv.indexOf('--only');
/** `--only 1,2`: run only those of the slow items (1: CSV, 2: aborted batches); the rest always run. */
const ONLY = onlyArg > 0 ? new Set(process.argv[onlyArg + 1]!.split(',').map(Number)) : undefined;
const want = (item: number): boolean => ONLY === undefined || ONLY.has(item);

interface Answer {
  status: number | string;
  headers: Record<string, string>;
  body: string;
  bytes: number;
  ms: number;
}

/** Writes raw bytes on a new connection; the first response, or how the connection ended. */
function raw(
  port: number,
  bytes: Buffer | string,
  options: { timeoutMs?: number; abortAfterMs?: number } = {},
) {
  return new Promise<Answer>((done) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const finish = (status?: string) => {
      clearTimeout(timer);
      socket.destroy();
      const text = data.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const headers: Record<string, string> = {};
      for (const line of text.slice(0, end).split('\r\n').slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      const body =
        end < 0 ? '' : data.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1')).toString('utf8');
      const code = Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]);
      done({
        status: code ? `${code}${status ? ` (${status})` : ''}` : (status ?? 'closed'),
        headers,
        body,
        bytes: Buffer.byteLength(body),
        ms: performance.now() - started,
      });
    };
    const timer = setTimeout(
      () => finish(`no complete answer in ${((options.timeoutMs ?? 60_000) / 1000).toFixed(0)} s`),
      options.timeoutMs ?? 60_000,
    );
    socket.on('data', (c: Buffer) => {
      data = Buffer.concat([data, c]);
      const text = data.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: *(\d+)/i.exec(text.slice(0, end))?.[1] ?? Number.NaN);
      if (/^HTTP\/1\.1 100/.test(text)) finish();
      else if (!Number.isNaN(length) && data.length >= end + 4 + length) finish();
      // A chunked answer (no Content-Length) is complete at its last chunk.
      else if (Number.isNaN(length) && /\r\n0\r\n\r\n$/.test(text)) finish();
    });
    socket.on('close', () => finish());
    socket.on('error', () => undefined);
    socket.write(bytes);
    if (options.abortAfterMs !== undefined)
      setTimeout(() => finish('aborted by client'), options.abortAfterMs);
  });
}

const post = (path: string, body: string | Buffer, type = 'application/json', extra = '') =>
  Buffer.concat([
    Buffer.from(
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n`,
    ),
    Buffer.isBuffer(body) ? body : Buffer.from(body),
  ]);

const short = (a: Answer) =>
  `${a.status} ${a.bytes} B in ${a.ms.toFixed(0)} ms${a.headers.allow ? ` Allow: ${a.headers.allow}` : ''}: ${a.body.slice(0, 110).replace(/\s+/g, ' ')}`;

async function start(
  env: Record<string, string>,
): Promise<{ server: RunningServer; port: number; metricsPort: number; monitorPort: number }> {
  const port = await freePort();
  const metricsPort = await freePort();
  const monitorPort = await freePort();
  const server = spawnServer({
    command: process.execPath,
    args: [...SERVER_NODE_FLAGS, '--require', LOOP_MONITOR, ENTRY],
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'warn',
      LOOP_MONITOR_PORT: String(monitorPort),
      ...env,
    },
  });
  await waitFor200(server, `http://127.0.0.1:${port}/health/ready`, process.hrtime.bigint(), {
    timeoutMs: 30_000,
  });
  return { server, port, metricsPort, monitorPort };
}

const metricsText = (port: number) =>
  new Promise<string>((done) => {
    request({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => done(text));
    })
      .on('error', () => done(''))
      .end();
  });

function print(item: string, figure: string): void {
  process.stdout.write(`${item.padEnd(44)} ${figure}\n`);
}

async function main(): Promise<void> {
  process.stdout.write(`server: ${ENTRY}\n`);
  const metadata = readBundleMetadata(BANKCHURN);
  const rng = new Rng(8);
  const one = validInstance(metadata, rng);
  const csvRow = metadata.inputs.map((f) => String(one[f.name])).join(',');
  let { server, port, metricsPort, monitorPort } = await start({
    MODEL_DIR: BANKCHURN,
    MAX_CONCURRENT_REQUESTS: '32',
  });
  await sleep(300);

  // 1. CSV: error size, peak RSS, and time.
  const peakRise = async (send: () => Promise<Answer>) => {
    const before = readMemory(server.pid).rssMiB;
    try {
      writeFileSync(`/proc/${server.pid}/clear_refs`, '5');
    } catch {
      // not allowed: the peak is then the peak since start
    }
    const a = await send();
    return { a, rise: readMemory(server.pid).peakRssMiB - before };
  };
  if (want(1)) {
    const { a, rise } = await peakRise(() =>
      raw(port, post('/invocations', '1\n'.repeat(300_000), 'text/csv'), { timeoutMs: 120_000 }),
    );
    print(
      '1 CSV 300,000 rows of "1" (600 KB)',
      `${a.status}, answer ${a.bytes} B in ${a.ms.toFixed(0)} ms, peak RSS +${rise.toFixed(0)} MiB`,
    );
  }
  if (want(1)) {
    const body = '1\n'.repeat(3 * 1024 * 1024 - 2048);
    const { a, rise } = await peakRise(() =>
      raw(port, post('/invocations', body, 'text/csv'), { timeoutMs: 120_000 }),
    );
    print(
      '1 CSV 6 MiB of "1" rows',
      `${a.status}, answer ${a.bytes} B in ${a.ms.toFixed(0)} ms, peak RSS +${rise.toFixed(0)} MiB`,
    );
  }
  if (want(1)) {
    const body = `${csvRow}\n`.repeat(Math.floor((6 * 1024 * 1024 - 4096) / (csvRow.length + 1)));
    const a = await raw(port, post('/invocations', body, 'text/csv'), { timeoutMs: 120_000 });
    print(
      `1 CSV ${Math.round(body.length / (csvRow.length + 1) / 1000)}k valid rows (${(body.length / 1048576).toFixed(1)} MiB)`,
      short(a),
    );
  }

  // 1. Event-loop delay of hostile 6 MiB CSV shapes: the server's longest stall while each body was read and
  // answered, beside the same figures with no request at all (the idle baseline, measured in this run over
  // windows as long as a request): on a shared machine the idle loop stalls too, waiting for a core. Three
  // figures per window: prom-client's nodejs_eventloop_lag_max_seconds (monitorEventLoopDelay, reset by each
  // scrape), and the loop monitor's longest iteration as wall time and as server CPU time (the CPU time leaves
  // out the waits for a core, so it is the server's own longest stretch of work).
  if (want(1)) {
    const bytes = 6 * 1024 * 1024 - 4096;
    const fill = (unit: string, prefix = '') =>
      prefix + unit.repeat(Math.floor((bytes - prefix.length) / unit.length));
    const long = 'x'.repeat(Math.floor(bytes / 1000 / metadata.inputs.length) - 2);
    const longer = 'x'.repeat(Math.floor(bytes / 1000) - 100);
    const shapes: [string, string][] = [
      ['many short rows', fill('1\n')],
      ['one row of millions of fields', fill('1,')],
      ['an unbalanced quote', fill('x', '"')],
      [
        'every row bad (columns)',
        `${Array.from({ length: metadata.inputs.length - 1 }, () => long).join(',')}\n`.repeat(1000),
      ],
      ['every row bad (value)', `${[longer, ...csvRow.split(',').slice(1)].join(',')}\n`.repeat(1000)],
    ];
    const lagMs = async () =>
      Number(/^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(await metricsText(metricsPort))?.[1]) * 1000;
    const RUNS = 5;
    const figures = (lags: number[], stalls: LoopStall[]) => {
      const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
      const max = (xs: number[]) => Math.max(...xs);
      const wall = stalls.map((s) => s.maxWallMs);
      const cpu = stalls.map((s) => s.maxCpuMs);
      return {
        lag: median(lags),
        text:
          `event-loop delay median ${median(lags).toFixed(1)} / max ${max(lags).toFixed(1)} ms; ` +
          `longest loop iteration wall ${median(wall).toFixed(1)} / ${max(wall).toFixed(1)} ms, ` +
          `server CPU ${median(cpu).toFixed(1)} / ${max(cpu).toFixed(1)} ms`,
      };
    };
    const measure = async (during: () => Promise<void>) => {
      await lagMs();
      await loopStall(monitorPort);
      await during();
      return { lag: await lagMs(), stall: await loopStall(monitorPort) };
    };
    const answers: Answer[] = [];
    const requests = shapes.map(([, body]) => post('/invocations', body, 'text/csv'));
    // Warm-up: the first request of a kind runs cold code.
    for (const request of requests) await raw(port, request, { timeoutMs: 120_000 });
    let windowMs = 0;
    const results: { name: string; lags: number[]; stalls: LoopStall[] }[] = [];
    for (const [i, [name]] of shapes.entries()) {
      const lags: number[] = [];
      const stalls: LoopStall[] = [];
      for (let run = 0; run < RUNS; run++) {
        const m = await measure(async () => {
          const a = await raw(port, requests[i]!, { timeoutMs: 120_000 });
          answers[i] = a;
          windowMs = Math.max(windowMs, a.ms);
        });
        lags.push(m.lag);
        stalls.push(m.stall);
      }
      results.push({ name, lags, stalls });
    }
    const idleLags: number[] = [];
    const idleStalls: LoopStall[] = [];
    for (let run = 0; run < RUNS; run++) {
      const m = await measure(() => sleep(windowMs));
      idleLags.push(m.lag);
      idleStalls.push(m.stall);
    }
    const idle = figures(idleLags, idleStalls);
    print(
      `1 CSV 6 MiB, idle baseline (${windowMs.toFixed(0)} ms windows)`,
      `${idle.text} (${RUNS} runs, load average ${loadavg()[0]!.toFixed(1)})`,
    );
    for (const [i, r] of results.entries()) {
      const f = figures(r.lags, r.stalls);
      const a = answers[i]!;
      print(
        `1 CSV 6 MiB, ${r.name}`,
        `${a.status}, answer ${a.bytes} B in ${a.ms.toFixed(0)} ms, ${f.text}; ` +
          `delay above idle (medians) ${(f.lag - idle.lag).toFixed(1)} ms`,
      );
    }
  }

  // 2. Aborted explained batches: the wait of a normal request, and what the metrics count.
  if (want(2)) {
    await stopServer(server);
    ({ server, port, metricsPort, monitorPort } = await start({ MODEL_DIR: BANKCHURN }));
    const batch = JSON.stringify({
      instances: Array.from({ length: 1000 }, () => validInstance(metadata, rng)),
      parameters: { explain: true },
    });
    const alone = await raw(port, post('/predict', JSON.stringify({ instances: [one] })));
    const aborts = Array.from({ length: 20 }, () =>
      // Each client gives up once its batch is being scored (uploaded and parsed well within 500 ms).
      raw(port, post('/predict', batch), { abortAfterMs: 500 }),
    );
    const cpuBefore = cpuSeconds(server.pid);
    await Promise.all(aborts);
    const started = performance.now();
    let after: Answer;
    do after = await raw(port, post('/predict', JSON.stringify({ instances: [one] })));
    while (String(after.status).startsWith('503') && performance.now() - started < 60_000);
    const waited = performance.now() - started;
    await sleep(15_000);
    const cpu = cpuSeconds(server.pid) - cpuBefore;
    const m = await metricsText(metricsPort);
    const count = (status: string) =>
      m
        .split('\n')
        .filter((l) => l.startsWith('bankchurn_requests_total') && l.includes(`status="${status}"`))
        .reduce((s, l) => s + Number(l.split(' ').pop()), 0);
    const explained = Number(/bankchurn_explain_latency_seconds_count (\d+)/.exec(m)?.[1] ?? 0);
    print(
      '2 20 aborted 1000-row explained batches',
      `next request answered ${after.status} after ${waited.toFixed(0)} ms (alone: ${alone.ms.toFixed(0)} ms); ` +
        `server CPU from the aborts on ${cpu.toFixed(2)} s; counted 499: ${count('499')}, explain histogram count: ${explained}`,
    );
  }

  // 3, 4. Deep JSON mentioning "__proto__"; one instance with 130k unknown keys.
  const deep = `{"instances":[{"x":${'['.repeat(3000)}"__proto__"${']'.repeat(3000)}}]}`;
  for (const path of ['/v1/models/bankchurn:predict', '/invocations', '/v2/models/bankchurn/infer'])
    print(`3 deep "__proto__" JSON on ${path}`, short(await raw(port, post(path, deep))));
  const wide = `{"instances":[{${Array.from({ length: 130_000 }, (_, i) => `"k${i}":1`).join(',')}}]}`;
  print('4 one instance with 130k unknown keys', short(await raw(port, post('/predict', wide))));

  // 7. Protocol details.
  print(
    '7 GET on the predict route',
    short(await raw(port, 'GET /v1/models/bankchurn:predict HTTP/1.1\r\nHost: x\r\n\r\n')),
  );
  print(
    '7 20 KB header',
    short(await raw(port, `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Long: ${'a'.repeat(20_000)}\r\n\r\n`)),
  );
  print(
    '7 Expect: 100-continue over the limit',
    short(
      await raw(
        port,
        `POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${7 * 1024 * 1024}\r\nExpect: 100-continue\r\n\r\n`,
        { timeoutMs: 2000 },
      ),
    ),
  );
  print(
    '7 Expect: 200-ok',
    short(await raw(port, 'GET /health/live HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n')),
  );
  const body = JSON.stringify({ instances: [one] });
  print('7 JSON with a UTF-8 BOM', short(await raw(port, post('/predict', `\uFEFF${body}`))));
  print(
    '7 Content-Encoding: gzip',
    short(
      await raw(
        port,
        post(
          '/predict',
          Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]),
          'application/json',
          'Content-Encoding: gzip\r\n',
        ),
      ),
    ),
  );
  print(
    '7 charset=utf-16le',
    short(
      await raw(port, post('/predict', Buffer.from(body, 'utf16le'), 'application/json; charset=utf-16le')),
    ),
  );
  await stopServer(server);
  ({ server, port, metricsPort, monitorPort } = await start({}));
  const emoji = (n: number) => JSON.stringify({ instances: [{ text: '😀'.repeat(n) }] });
  print(
    '7 5000 emoji (5000 characters) to nlpinsight',
    short(await raw(port, post('/v1/models/nlpinsight:predict', emoji(5000)))),
  );
  const v2 = (datatype: string, value: number) =>
    JSON.stringify({
      inputs: metadata.inputs.map((f) => ({
        name: f.name,
        shape: [1],
        datatype: f.name === 'Age' ? datatype : f.type === 'number' ? 'FP64' : 'BYTES',
        data: [f.name === 'Age' ? value : one[f.name]],
      })),
    });
  print('7 V2 schema error', short(await raw(port, post('/v2/models/bankchurn/infer', v2('FP99', 40)))));
  print(
    '7 V2 ?explain=maybe',
    short(await raw(port, post('/v2/models/bankchurn/infer?explain=maybe', v2('FP64', 40)))),
  );
  print('7 V2 UINT8 619', short(await raw(port, post('/v2/models/bankchurn/infer', v2('UINT8', 619)))));
  {
    const started = performance.now();
    const a = await raw(metricsPort, 'GET /metrics HTTP/1.1\r\nHost: x\r\n', { timeoutMs: 40_000 });
    print(
      '7 metrics port, headers never finished',
      `${a.status} after ${(performance.now() - started).toFixed(0)} ms (headers timeout 5 s)`,
    );
  }
  await raw(port, 'PO ST / HTTP/1.1\r\nHost: x\r\n\r\n');
  const socketLines = (await metricsText(metricsPort))
    .split('\n')
    .filter((l) => l.startsWith('http_socket_errors_total{'));
  print('7 socket-level 400 counted', socketLines.join(' ') || 'not in the metrics');

  // 5. SIGHUP with a request in flight.
  {
    const inFlight = raw(
      port,
      post(
        '/predict',
        JSON.stringify({ instances: Array.from({ length: 1000 }, () => one), parameters: { explain: true } }),
      ),
    );
    await sleep(50);
    server.child.kill('SIGHUP');
    const a = await inFlight;
    await sleep(500);
    print(
      '5 SIGHUP during a request',
      `request ${a.status}; process ${server.child.exitCode === null && server.child.signalCode === null ? 'still serving' : `exited (${server.child.exitCode ?? server.child.signalCode})`}`,
    );
    await stopServer(server, 3000);
  }

  // 6. An objective named "constructor"; MODEL_DIR a symlink loop.
  const scratch = mkdtempSync(join(tmpdir(), 'hostile-'));
  const booster = JSON.parse(
    readFileSync(join(REPO_ROOT, 'test/model-server/fixtures/models/bare-booster/model.json'), 'utf8'),
  );
  booster.learner.objective.name = 'constructor';
  mkdirSync(join(scratch, 'ctor'));
  writeFileSync(join(scratch, 'ctor', 'model.json'), JSON.stringify(booster));
  symlinkSync(join(scratch, 'loop-b'), join(scratch, 'loop-a'));
  symlinkSync(join(scratch, 'loop-a'), join(scratch, 'loop-b'));
  for (const [item, dir] of [
    ['6 objective "constructor"', join(scratch, 'ctor')],
    ['7 MODEL_DIR a symlink loop', join(scratch, 'loop-a')],
  ] as const) {
    const p = await freePort();
    const s = spawnServer({
      command: process.execPath,
      args: [ENTRY],
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(p), METRICS_PORT: '0', MODEL_DIR: dir },
    });
    const code = await new Promise<number | null>((done) => {
      s.child.once('exit', (c) => done(c));
      setTimeout(() => s.child.kill('SIGTERM'), 10_000);
    });
    const fatal = s
      .output()
      .split('\n')
      .find((l) => /"level":(60|"fatal")/.test(l));
    print(
      item,
      `exit ${code}: ${fatal ? (JSON.parse(fatal).msg as string).slice(0, 160) : s.output().slice(-160)}`,
    );
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
