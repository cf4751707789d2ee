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
    expect(text).toContain('- **EKS: $0.3114/h + unknown');
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
    await expect(runCli(['cost', '--rps', '100', '--json'], io)).resolves.toBe(0);
    const report = JSON.parse(io.out.join(''));
    const eks = report.stacks.find((s: { stack: string }) => s.stack === 'eks-cluster');
    // ceil(100 / 40) = 3 nodes: the default 2 plus one t3.large
    expect(eks.atRate).toMatchObject({ instances: 3, hourly: expect.closeTo(0.3114 + 0.0832, 10) });
    expect(report.usage.throughputSource).toContain('local-native measured by npm run compare on 2026-12-01');
  });

  it('rejects a bad number with the flag named, exit 2', async () => {
    const io = capture(mkdtempSync(path.join(tmpdir(), 'cost-')));
    await expect(runCli(['cost', '--rps', 'lots'], io)).resolves.toBe(2);
    expect(io.err.join('')).toMatch(/^error: --rps "lots": expected a number >= 0/);
  });
});
