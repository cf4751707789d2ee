import { parseArgs } from 'node:util';
import { readLatestCompare } from '../compare/results';
import { ConfigError } from '../config/errors';
import { loadConfig } from '../config/load';
import { type CostUsage, calculateCost } from '../cost/calculator';
import { formatCostReport } from '../cost/format';
import { costInputsFromConfig } from '../cost/inputs';
import type { CliCommand, CliIo } from './io';
import { numberFlag } from './number-flag';
import { UsageError } from './usage-error';

export const COST_USAGE = `usage: npm run cost -- [--rps N] [--throughput-per-instance N] [--latency-ms N]
    [--log-gb-per-day N] [--compare-results FILE] [--config FILE] [--json]

  Hourly and monthly cost of each stack as configured (model-serving.config.json or defaults), idle and,
  with --rps, at that request rate, from the dated price table in src/cost/prices.ts. The throughput of one
  instance (node, endpoint instance, replica) comes from --throughput-per-instance, else from the newest
  \`npm run compare\` result (results/compare-latest.json: the native server without explanations).
  Prices with no published source print as "unknown" and are left out of the totals.`;

/** Throughput and latency measured by the newest compare run, when there is one. */
function measuredUsage(
  io: CliIo,
  file: string | undefined,
): Pick<CostUsage, 'throughputPerInstanceRps' | 'meanLatencyMs' | 'throughputSource'> {
  let result: ReturnType<typeof readLatestCompare>;
  try {
    result = readLatestCompare(io.cwd, file);
  } catch (error) {
    throw new UsageError(`compare results ${file ?? ''} are not readable JSON (${(error as Error).message})`);
  }
  const run = result?.runs.find((r) => !r.explain && r.errors === 0 && /native/.test(r.target));
  if (!result || !run) return {};
  return {
    throughputPerInstanceRps: Math.floor(run.throughputRps),
    meanLatencyMs: run.meanMs,
    throughputSource: `${run.target} measured by npm run compare on ${result.date} at concurrency ${run.concurrency}`,
  };
}

export const costCommand: CliCommand = {
  summary: 'hourly and monthly cost of each stack as configured, idle and at a request rate',
  usage: COST_USAGE,
  run: async (args, io) => {
    let flags: Record<string, string | boolean | undefined>;
    try {
      flags = parseArgs({
        args: [...args],
        strict: true,
        allowPositionals: false,
        options: {
          rps: { type: 'string' },
          'throughput-per-instance': { type: 'string' },
          'latency-ms': { type: 'string' },
          'log-gb-per-day': { type: 'string' },
          'compare-results': { type: 'string' },
          config: { type: 'string' },
          json: { type: 'boolean' },
        },
      }).values;
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const str = (name: string) => flags[name] as string | undefined;
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig({
        env: io.env,
        rootDir: io.cwd,
        ...(str('config') ? { file: str('config')! } : {}),
      });
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
    const measured = measuredUsage(io, str('compare-results'));
    const throughput = numberFlag(str('throughput-per-instance'), '--throughput-per-instance', { min: 1 });
    const latency = numberFlag(str('latency-ms'), '--latency-ms');
    const rps = numberFlag(str('rps'), '--rps');
    const logGbPerDay = numberFlag(str('log-gb-per-day'), '--log-gb-per-day');
    const usage: CostUsage = {
      ...measured,
      ...(throughput !== undefined
        ? { throughputPerInstanceRps: throughput, throughputSource: '--throughput-per-instance' }
        : {}),
      ...(latency !== undefined ? { meanLatencyMs: latency } : {}),
      ...(rps !== undefined ? { requestsPerSecond: rps } : {}),
      ...(logGbPerDay !== undefined ? { logGbPerDay } : {}),
    };
    const report = calculateCost(costInputsFromConfig(config), usage);
    if (flags.json) {
      io.stdout(`${JSON.stringify({ ...report, usage }, null, 2)}\n`);
      return;
    }
    io.stdout(formatCostReport(report));
  },
};
