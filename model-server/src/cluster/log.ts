import { hostname } from 'node:os';
import { LOG_LEVELS, type LogLevel } from '../config';

/** pino's level numbers, so the primary's lines filter like the workers' (which fastify's pino writes). */
const LEVEL_NUMBERS: Record<Exclude<LogLevel, 'silent'>, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

export type PrimaryLog = Record<
  Exclude<LogLevel, 'silent'>,
  (fields: Record<string, unknown>, msg: string) => void
>;

/**
 * The cluster primary's logger: JSON lines shaped like pino's (level number, time, pid, hostname, msg), with
 * `role: "primary"`. The primary writes a handful of lines (workers started, died, restarted), so it needs
 * no buffering logger of its own.
 */
export function primaryLog(level: LogLevel, write: (line: string) => void = (l) => process.stdout.write(l)) {
  const threshold = level === 'silent' ? Number.POSITIVE_INFINITY : LEVEL_NUMBERS[level];
  const host = hostname();
  const log = {} as PrimaryLog;
  for (const name of LOG_LEVELS) {
    if (name === 'silent') continue;
    const n = LEVEL_NUMBERS[name];
    log[name] = (fields, msg) => {
      if (n < threshold) return;
      write(
        `${JSON.stringify({ level: n, time: new Date().toISOString(), pid: process.pid, hostname: host, role: 'primary', ...fields, msg })}\n`,
      );
    };
  }
  return log;
}
