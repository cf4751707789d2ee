import { hostname } from 'node:os';
import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config';

export type PrimaryLog = Pick<Logger, 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'>;

/**
 * The cluster primary's logger: pino, as the workers' fastify uses, with the same ISO `time` and
 * `role: "primary"` on every line. Its default destination writes synchronously, so a line logged just before
 * the primary exits is not lost.
 */
export function primaryLog(level: LogLevel): PrimaryLog {
  return pino({
    level,
    base: { pid: process.pid, hostname: hostname(), role: 'primary' },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
  });
}
