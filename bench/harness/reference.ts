import type { ServerResult } from './report';

/** The servers whose throughput the Node server is divided by, when they ran. */
const REFERENCES = ['fastify-noop', 'http-noop', 'fastapi'] as const;
/** The builds of the model server that get ratios (node-before: `--before-dist`). */
const SUBJECTS = ['node', 'node-before'] as const;

/** One mode and connection count across every server that ran, with the ratios to the references. */
export interface ReferenceRow {
  readonly mode: 'predict' | 'explain';
  readonly connections: number;
  /** Per server id: throughput, p99 and server CPU per request (µs: 1e6 / req per server CPU-s). */
  readonly servers: Record<string, { rps: number; p99Ms: number; cpuMicrosPerRequest: number }>;
  /** `<subject>/<reference>` → subject req/s ÷ reference req/s. */
  readonly ratios: Record<string, number>;
}

export function referenceRows(
  results: readonly ServerResult[],
  connections: readonly number[],
): ReferenceRow[] {
  const rows: ReferenceRow[] = [];
  for (const explain of [false, true]) {
    for (const c of connections) {
      const servers: ReferenceRow['servers'] = {};
      for (const r of results) {
        const run = r.runs.find((x) => x.explain === explain && x.connections === c);
        if (run) {
          servers[r.id] = {
            rps: run.requestsPerSecond,
            p99Ms: run.p99Ms,
            cpuMicrosPerRequest: 1e6 / run.requestsPerServerCpuSecond,
          };
        }
      }
      const ratios: Record<string, number> = {};
      for (const s of SUBJECTS) {
        for (const ref of REFERENCES) {
          if (servers[s] && servers[ref]) ratios[`${s}/${ref}`] = servers[s].rps / servers[ref].rps;
        }
      }
      rows.push({ mode: explain ? 'explain' : 'predict', connections: c, servers, ratios });
    }
  }
  return rows;
}

const f0 = (x: number) => x.toFixed(0);
const f2 = (x: number) => x.toFixed(2);

/**
 * The table printed after the comparison: req/s, p99 and server CPU µs per request of every server that ran,
 * then each model-server build's throughput as a multiple of each reference's, from the same run.
 */
export function referenceTable(rows: readonly ReferenceRow[], markdown = false): string {
  if (rows.length === 0) return '';
  const ids = Object.keys(rows[0]!.servers);
  const ratioKeys = Object.keys(rows[0]!.ratios);
  const headers = [
    'mode',
    'c',
    ...ids.flatMap((id) => [`${id} req/s`, `${id} p99 ms`, `${id} CPU µs/req`]),
    ...ratioKeys.map((k) => k.replace('/', ' ÷ ')),
  ];
  const body = rows.map((r) => [
    r.mode,
    String(r.connections),
    ...ids.flatMap((id) => {
      const s = r.servers[id];
      return s ? [f0(s.rps), f2(s.p99Ms), f0(s.cpuMicrosPerRequest)] : ['', '', ''];
    }),
    ...ratioKeys.map((k) => (r.ratios[k] === undefined ? '' : `${f2(r.ratios[k])}×`)),
  ]);
  if (markdown) {
    const line = (c: readonly string[]) => `| ${c.join(' | ')} |`;
    return [line(headers), line(headers.map((_, i) => (i < 2 ? '---' : '---:'))), ...body.map(line)].join(
      '\n',
    );
  }
  // Transposed for the terminal: one line per figure, one column per point, so the table stays narrow.
  const points = rows.map((r) => `${r.mode} c${r.connections}`);
  const lines = headers.slice(2).map((h, i) => [h, ...body.map((b) => b[i + 2]!)]);
  const all = [['', ...points], ...lines];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((l) => l[i]!.length)));
  return all
    .map((l) => l.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  '))
    .join('\n');
}
