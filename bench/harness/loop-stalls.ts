import { join } from 'node:path';
import { REPO_ROOT } from './servers';

/** The preload that measures a server's longest event-loop iteration (see its header). */
export const LOOP_MONITOR = join(REPO_ROOT, 'bench', 'harness', 'loop-monitor.cjs');

export interface LoopStall {
  /** Longest wall time between two 1 ms ticks: the event-loop delay, waits for a core included. */
  readonly maxWallMs: number;
  /** Most process CPU time between two ticks: the server's own longest stretch of work. */
  readonly maxCpuMs: number;
}

/** The longest stall since the previous call (which it resets), from a server started with LOOP_MONITOR. */
export async function loopStall(monitorPort: number): Promise<LoopStall> {
  const res = await fetch(`http://127.0.0.1:${monitorPort}/`);
  return (await res.json()) as LoopStall;
}
