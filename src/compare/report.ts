import type { CompareResult, TargetRun } from './results';

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '-');

function explanations(run: TargetRun): [string, string] {
  if (!run.explain) return ['not asked', '-'];
  const returned = run.explanationsReturned ? 'yes' : 'no';
  const agree = run.explanationsAgree ? 'yes' : `no${run.disagreement ? ` (${run.disagreement})` : ''}`;
  return [returned, agree];
}

/** The result as Markdown: what was run, then one row per target and mode. */
export function compareMarkdown(result: CompareResult): string {
  const { config } = result;
  const head = [
    `# Comparison run ${result.date}`,
    '',
    `Model ${config.model}, ${config.instances} seeded instances (seed ${config.seed}), one instance per request, concurrency ${config.concurrency}, ${config.durationSeconds} s per run after ${config.warmupSeconds} s of unmeasured warm-up per target.`,
    `Versions: ${Object.entries(result.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}. Machine: ${result.machine}.`,
    '',
    '| target | explanations | requests | throughput (req/s) | p50 ms | p95 ms | p99 ms | error rate | explanations returned | agree with local | cold start ms |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const rows = result.runs.map((run) => {
    const [returned, agree] = explanations(run);
    return `| ${run.target} | ${run.explain ? 'yes' : 'no'} | ${run.requests} | ${run.throughputRps.toFixed(1)} | ${ms(run.p50Ms)} | ${ms(run.p95Ms)} | ${ms(run.p99Ms)} | ${(run.errorRate * 100).toFixed(2)}% | ${returned} | ${agree} | ${run.coldStartMs === undefined ? '-' : run.coldStartMs.toFixed(0)} |`;
  });
  const failures = result.runs
    .filter((run) => run.firstErrors?.length)
    .map((run) => `- ${run.target} (${run.explain ? 'explain' : 'predict'}): ${run.firstErrors!.join('; ')}`);
  const notes = [
    '',
    'Cold start: local targets, from spawning the server to its first answer; remote targets only with --first-after-deploy (the first request after a deploy or scale-up).',
    "Agreement: every explanation equals the local native server's for the same instance (relative tolerance 1e-9).",
  ];
  return `${[...head, ...rows, ...(failures.length ? ['', 'First errors:', ...failures] : []), ...notes].join('\n')}\n`;
}
