import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cgroupCpuQuota,
  cpuBudget,
  parseCfsQuota,
  parseCpuMax,
} from '../../../model-server/src/cluster/cpus';
import { ConfigError, HELP_TEXT, parseConfig } from '../../../model-server/src/config';

function problems(argv: string[], env: Record<string, string>): readonly string[] {
  try {
    parseConfig(argv, env, () => ({ cpus: 3, affinity: 3 }));
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

/** A fake cgroup hierarchy: `files` relative to its root. */
function cgroupRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cgroup-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('WORKERS setting', () => {
  const budget = () => ({ cpus: 3, affinity: 4, quota: 2.5, quotaFile: '/x/cpu.max' });

  test('defaults to 1 (one process, no cluster)', () => {
    expect(parseConfig([], {}, budget)).toMatchObject({ workers: 1, workersFrom: { setting: 'default' } });
  });

  test('takes a number from the environment or --workers (the flag wins)', () => {
    expect(parseConfig([], { WORKERS: '4' }, budget)).toMatchObject({ workers: 4 });
    expect(parseConfig(['--workers', '2'], { WORKERS: '4' }, budget)).toMatchObject({
      workers: 2,
      workersFrom: { setting: '--workers=2' },
    });
    expect(parseConfig(['--workers=3'], {}, budget).workers).toBe(3);
  });

  test('auto is the CPU budget, and says where it came from', () => {
    expect(parseConfig([], { WORKERS: 'auto' }, budget)).toMatchObject({
      workers: 3,
      workersFrom: { setting: 'WORKERS=auto', budget: { affinity: 4, quota: 2.5 } },
    });
    expect(parseConfig([], { WORKERS: 'AUTO' }, () => ({ cpus: 1, affinity: 1 })).workers).toBe(1);
  });

  test.each(['0', '-1', '1.5', 'two', '65', 'auto2'])('rejects WORKERS=%s naming the allowed values', (v) => {
    expect(problems([], { WORKERS: v })).toEqual([
      `WORKERS="${v}": expected an integer from 1 to 64, or auto`,
    ]);
  });

  test('with more than one worker, METRICS_PORT must differ from the serving port', () => {
    expect(problems([], { WORKERS: '2', PORT: '8080', METRICS_PORT: '8080' })).toEqual([
      expect.stringMatching(/^METRICS_PORT=8080 equals the serving port: with WORKERS=2 \(WORKERS=2\)/),
    ]);
    // One worker: the serving port serves /metrics, as before.
    expect(parseConfig([], { WORKERS: '1', METRICS_PORT: '8080' }, budget).metricsPort).toBe(8080);
    // auto that comes to one CPU is one process.
    expect(
      parseConfig([], { WORKERS: 'auto', METRICS_PORT: '8080' }, () => ({ cpus: 1, affinity: 1 })).workers,
    ).toBe(1);
  });

  test('--help lists --workers', () => {
    expect(HELP_TEXT).toContain('[--workers N|auto]');
    expect(HELP_TEXT).toMatch(/--workers, WORKERS +serving processes sharing the port .*\[1\]/);
  });
});

describe('CPU budget for WORKERS=auto', () => {
  test('cgroup v2 cpu.max: quota/period in CPUs, "max" is no limit', () => {
    expect(parseCpuMax('150000 100000\n')).toBe(1.5);
    expect(parseCpuMax('200000 100000')).toBe(2);
    expect(parseCpuMax('max 100000\n')).toBeUndefined();
    expect(parseCpuMax('garbage')).toBeUndefined();
  });

  test('cgroup v1 cfs quota: -1 is no limit', () => {
    expect(parseCfsQuota('50000\n', '100000\n')).toBe(0.5);
    expect(parseCfsQuota('-1\n', '100000\n')).toBeUndefined();
  });

  test('reads cpu.max of the own cgroup (v2)', () => {
    const root = cgroupRoot({ 'kubepods/pod1/cpu.max': '250000 100000\n', 'cpu.max': 'max 100000\n' });
    expect(cgroupCpuQuota(root, '0::/kubepods/pod1\n')).toEqual({
      cpus: 2.5,
      file: join(root, 'kubepods/pod1/cpu.max'),
    });
  });

  test('inside a container (cgroup namespace) the own cgroup is the root', () => {
    const root = cgroupRoot({ 'cpu.max': '100000 100000\n' });
    expect(cgroupCpuQuota(root, '0::/\n')?.cpus).toBe(1);
  });

  test('reads the v1 cpu controller (cpu,cpuacct mount)', () => {
    const root = cgroupRoot({
      'cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '150000\n',
      'cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000\n',
    });
    expect(cgroupCpuQuota(root, '4:cpu,cpuacct:/docker/abc\n1:memory:/docker/abc\n')?.cpus).toBe(1.5);
  });

  test('no quota anywhere: none', () => {
    const root = cgroupRoot({
      'cpu/cpu.cfs_quota_us': '-1\n',
      'cpu/cpu.cfs_period_us': '100000\n',
    });
    expect(cgroupCpuQuota(root, '1:cpu:/\n0::/\n')).toBeUndefined();
    expect(cgroupCpuQuota(cgroupRoot({}), undefined)).toBeUndefined();
  });

  test('the smaller of affinity and the quota rounded up, at least 1', () => {
    const quota15 = cgroupRoot({ 'cpu.max': '150000 100000\n' });
    expect(cpuBudget({ affinity: 4, cgroupRoot: quota15, procSelfCgroup: '0::/\n' })).toEqual({
      cpus: 2,
      affinity: 4,
      quota: 1.5,
      quotaFile: join(quota15, 'cpu.max'),
    });
    // Pinned to one CPU (taskset) under a 2-CPU quota: one worker.
    const quota2 = cgroupRoot({ 'cpu.max': '200000 100000\n' });
    expect(cpuBudget({ affinity: 1, cgroupRoot: quota2, procSelfCgroup: '0::/\n' }).cpus).toBe(1);
    // A quota below one CPU still runs one worker.
    const quotaTiny = cgroupRoot({ 'cpu.max': '20000 100000\n' });
    expect(cpuBudget({ affinity: 8, cgroupRoot: quotaTiny, procSelfCgroup: '0::/\n' }).cpus).toBe(1);
    expect(cpuBudget({ affinity: 3, cgroupRoot: cgroupRoot({}), procSelfCgroup: '0::/\n' })).toEqual({
      cpus: 3,
      affinity: 3,
    });
  });
});
