import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CliIo } from '../../src/cli/io';
import { runCli } from '../../src/cli/main';

function capture(cwd: string): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, cwd };
}

describe('npm run cost', () => {
  it('prints the cost of the default configuration with the cluster idle costs first', async () => {
    const io = capture(mkdtempSync(path.join(tmpdir(), 'cost-')));
    await expect(runCli(['cost'], io)).resolves.toBe(0);
    const text = io.out.join('');
    // 0.10 control plane + 4 x 0.0832 t3.large (the fixed node group) + 0.045 NAT gateway
    expect(text).toContain('- **EKS: $0.4778/h + unknown');
    expect(text).toContain('WARNING: sagemaker-endpoint has no time-to-live');
  });

  it('takes the throughput per instance from the newest compare result', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'cost-'));
    mkdirSync(path.join(root, 'results'));
    const run = {
      target: 'local-native',
      explain: false,
      errors: 0,
      throughputRps: 40.7,
      meanMs: 5,
      concurrency: 8,
    };
    writeFileSync(
      path.join(root, 'results', 'compare-latest.json'),
      JSON.stringify({ date: '2026-12-01T00:00:00.000Z', runs: [run] }),
    );
    const io = capture(root);
    const at = async (rps: string) => {
      const out: string[] = [];
      await expect(
        runCli(['cost', '--rps', rps, '--json'], { ...io, stdout: (t) => out.push(t) }),
      ).resolves.toBe(0);
      return JSON.parse(out.join(''));
    };
    const eksAt = (report: { stacks: { stack: string; atRate: unknown }[] }) =>
      report.stacks.find((s) => s.stack === 'eks-cluster')!.atRate;
    // ceil(100 / 40) = 3 nodes fit in the fixed 4: the idle cost, 0.10 + 4 x 0.0832 + 0.045
    const at100 = await at('100');
    expect(eksAt(at100)).toEqual({
      requestsPerSecond: 100,
      instances: 4,
      hourly: expect.closeTo(0.4778, 10),
    });
    expect(at100.usage.throughputSource).toContain('local-native measured by npm run compare on 2026-12-01');
    // ceil(200 / 40) = 5 nodes do not fit: the cost stays at the 4 the configuration allows, with a note
    expect(eksAt(await at('200'))).toEqual({
      requestsPerSecond: 200,
      instances: 4,
      hourly: expect.closeTo(0.4778, 10),
      note: 'needs 5 nodes at 40 rps each but the configuration allows 4: raise the maximum or expect errors',
    });
  });

  it('rejects a bad number with the flag named, exit 2', async () => {
    const io = capture(mkdtempSync(path.join(tmpdir(), 'cost-')));
    await expect(runCli(['cost', '--rps', 'lots'], io)).resolves.toBe(2);
    expect(io.err.join('')).toMatch(/^error: --rps "lots": expected a number >= 0/);
  });
});
