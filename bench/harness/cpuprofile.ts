import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) that a self-time summary needs. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  /** `function (file:line)`, file relative to the repository. */
  readonly frame: string;
  readonly selfMs: number;
  /** Percent of busy time (samples outside `(idle)`): where the CPU went while the server worked. */
  readonly selfPercent: number;
  /** Time in this frame and everything it called (frames counted once per sample, so recursion is not double-counted). */
  readonly totalPercent: number;
}

/** Self and inclusive time per function, biggest self time first. */
export function hotSpots(profilePath: string, repoRoot: string, top = 25): HotSpot[] {
  const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (id: number): string => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const file = url.startsWith('file://') ? relative(repoRoot, url.slice('file://'.length)) : url;
    return `${functionName || '(anonymous)'}${file ? ` (${file}:${lineNumber + 1})` : ''}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const frame = label(id);
    // Idle time is the event loop waiting for I/O: not part of the cost of a request.
    if (frame === '(idle)') return;
    all += dt;
    self.set(frame, (self.get(frame) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = label(cur);
      if (seen.has(f)) continue;
      seen.add(f);
      total.set(f, (total.get(f) ?? 0) + dt);
    }
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, us]) => ({
      frame,
      selfMs: us / 1000,
      selfPercent: (100 * us) / all,
      totalPercent: (100 * (total.get(frame) ?? 0)) / all,
    }));
}

/** Where a frame's code lives, for a coarse breakdown of busy time. */
function areaOf(frame: string): string {
  const file = /\((.+):\d+\)$/.exec(frame)?.[1];
  if (file === undefined) {
    // Native frames: writev is the response write syscall; (program) is V8/native outside JS.
    return frame.startsWith('(') ? frame : `native: ${frame}`;
  }
  if (file.startsWith('node:')) return 'node internals (http, streams, events)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];
  if (pkg) return `npm: ${pkg}`;
  const own = /model-server\/(?:dist|src)\/([^/]+(?:\/[^/]+)?)/.exec(file)?.[1];
  return own ? `model-server: ${own.replace(/\.(js|ts)$/, '')}` : file;
}

/** Busy time (percent) per area: model-server directories, npm packages, Node internals, native work. */
export function busyByArea(profilePath: string, repoRoot: string): { area: string; percent: number }[] {
  const byArea = new Map<string, number>();
  for (const s of hotSpots(profilePath, repoRoot, Number.POSITIVE_INFINITY)) {
    const area = areaOf(s.frame);
    byArea.set(area, (byArea.get(area) ?? 0) + s.selfPercent);
  }
  return [...byArea.entries()]
    .map(([area, percent]) => ({ area, percent }))
    .sort((a, b) => b.percent - a.percent);
}
