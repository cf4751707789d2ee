import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/** The CPUs `WORKERS=auto` may use, and what limited them (for the start-up log). */
export interface CpuBudget {
  readonly cpus: number;
  /** The CPUs this process may run on (sched_getaffinity: `taskset`, a cpuset). */
  readonly affinity: number;
  /** The cgroup CPU quota in CPUs (quota / period), when one is set. */
  readonly quota?: number;
  /** The file the quota was read from. */
  readonly quotaFile?: string;
}

export interface CpuSources {
  /** @default os.availableParallelism(), which on Linux counts the CPUs in this process's affinity mask */
  readonly affinity?: number;
  /** @default /sys/fs/cgroup */
  readonly cgroupRoot?: string;
  /** The text of /proc/self/cgroup. @default read from /proc */
  readonly procSelfCgroup?: string;
}

/** cgroup v2 `cpu.max`: `"<quota> <period>"` in µs, or `"max <period>"` (no limit). */
export function parseCpuMax(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === undefined || quota === 'max') return undefined;
  return ratio(quota, period ?? '100000');
}

/** cgroup v1 `cpu.cfs_quota_us` (-1: no limit) and `cpu.cfs_period_us`. */
export function parseCfsQuota(quotaText: string, periodText: string): number | undefined {
  return ratio(quotaText.trim(), periodText.trim());
}

function ratio(quota: string, period: string): number | undefined {
  const q = Number(quota);
  const p = Number(period);
  if (!/^\d+$/.test(quota) || !/^\d+$/.test(period) || q <= 0 || p <= 0) return undefined;
  return q / p;
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * The CPU quota of this process's cgroup, in CPUs, or undefined when none is set. Looks at the process's own
 * cgroup (from /proc/self/cgroup) first, then at the root of the hierarchy: inside a container with a cgroup
 * namespace the own path is `/`, so both are the same directory. The smallest quota found wins (a parent's
 * quota also limits its children, and Docker/Kubernetes put it on the container's own group).
 */
export function cgroupCpuQuota(
  root: string,
  procSelfCgroup: string | undefined,
): { cpus: number; file: string } | undefined {
  const lines = (procSelfCgroup ?? '').split('\n').filter((l) => l.trim() !== '');
  const v2Path = lines.find((l) => l.startsWith('0::'))?.slice(3);
  const v1Line = lines.find((l) => l.split(':')[1]?.split(',').includes('cpu'));
  const v1Controllers = v1Line?.split(':')[1];
  const v1Path = v1Line?.split(':').slice(2).join(':');
  const found: { cpus: number; file: string }[] = [];
  for (const dir of new Set([join(root, v2Path ?? '/'), root])) {
    const file = join(dir, 'cpu.max');
    const text = readText(file);
    const cpus = text === undefined ? undefined : parseCpuMax(text);
    if (cpus !== undefined) found.push({ cpus, file });
  }
  const v1Mounts = [...new Set([v1Controllers, 'cpu', 'cpu,cpuacct', 'cpuacct,cpu'])].filter(
    (m): m is string => m !== undefined,
  );
  for (const mount of v1Mounts) {
    for (const dir of new Set([join(root, mount, v1Path ?? '/'), join(root, mount)])) {
      const file = join(dir, 'cpu.cfs_quota_us');
      const quota = readText(file);
      const period = readText(join(dir, 'cpu.cfs_period_us'));
      const cpus = quota === undefined || period === undefined ? undefined : parseCfsQuota(quota, period);
      if (cpus !== undefined) found.push({ cpus, file });
    }
  }
  return found.sort((a, b) => a.cpus - b.cpus)[0];
}

/**
 * `WORKERS=auto`: the CPUs this process may use, the smaller of its affinity mask and its cgroup quota
 * (rounded up: a quota of 1.5 CPUs keeps two workers busy half the time each), at least 1.
 */
export function cpuBudget(sources: CpuSources = {}): CpuBudget {
  const affinity = Math.max(1, sources.affinity ?? availableParallelism());
  const quota = cgroupCpuQuota(
    sources.cgroupRoot ?? '/sys/fs/cgroup',
    sources.procSelfCgroup ?? readText('/proc/self/cgroup'),
  );
  const cpus = Math.max(1, Math.min(affinity, quota === undefined ? affinity : Math.ceil(quota.cpus)));
  return { cpus, affinity, ...(quota ? { quota: quota.cpus, quotaFile: quota.file } : {}) };
}
