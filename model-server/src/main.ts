/**
 * Entry point: `node dist/main.js [serve] [flags]`. Parses the configuration once, starts the server (with
 * WORKERS > 1: this process becomes the cluster primary of `cluster/primary.ts`, and each worker it forks
 * runs the server below), and
 * turns SIGTERM/SIGINT into a graceful shutdown (SIGHUP is logged and ignored). Exit codes: 0 clean stop or --help, 1 models cannot be
 * loaded (or the port cannot be bound), 2 invalid configuration.
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError, HELP_TEXT, HelpRequested, parseConfig, type ServerConfig } from './config';
import { formatBanner, usage } from './lifecycle/banner';
import type { RunningServer, StartupError } from './lifecycle/server';
import { PACKAGE_ROOT } from './package-root';

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
}

/** pino's number for `fatal`: log queries filter on the numeric level every other line carries. */
const FATAL_LEVEL = 60;

/** A failure before the logger exists: one JSON line on stderr, shaped like the logger's own lines. */
function fail(message: string, code: number): never {
  const line = {
    level: FATAL_LEVEL,
    time: new Date().toISOString(),
    pid: process.pid,
    hostname: hostname(),
    msg: message,
  };
  process.stderr.write(`${JSON.stringify(line)}\n`);
  process.exit(code);
}

/** Returns the stop function, for a cluster worker told to stop by its primary (a no-op once stopping). */
function onSignals(server: RunningServer): (reason: string) => void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      server.app.log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    server.app.log.info({ signal }, 'signal received');
    server.shutdown().then(
      (result) => process.exit(result === 'drained' ? 0 : 1),
      (e: unknown) => {
        server.app.log.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // SIGHUP's default action kills the process at once (in-flight requests get an empty reply). No platform
  // stops a container with it: it comes from a closing terminal or an operator expecting a reload, and this
  // server has nothing to reload. So it is ignored, with a line saying how to stop the server.
  process.on('SIGHUP', () => {
    server.app.log.warn({ signal: 'SIGHUP' }, 'SIGHUP ignored: nothing to reload; send SIGTERM to stop');
  });
  return (reason) => {
    if (!stopping) stop(reason as NodeJS.Signals);
  };
}

async function main(): Promise<void> {
  let config: ServerConfig;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (e) {
    if (e instanceof HelpRequested) {
      process.stdout.write(`${HELP_TEXT}\n`);
      process.exit(0);
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  if (config.workers > 1 && cluster.isPrimary) {
    const { runPrimary } = await import('./cluster/primary.js');
    await runPrimary(config);
    return;
  }
  const worker = config.workers > 1 ? await import('./cluster/worker.js') : undefined;
  const startedUp = worker?.exitIfStoppedWhileStarting();
  let server: RunningServer;
  try {
    // Loaded after the configuration is parsed, so `--help` and configuration errors answer at once.
    const { startServer } = await import('./lifecycle/server.js');
    server = await startServer(config, { serverVersion: packageVersion(), ...worker?.workerStartOptions() });
  } catch (e) {
    const code = (e as Partial<StartupError>).exitCode ?? 1;
    fail(`cannot start: ${(e as Error).message}`, code);
  }
  const stop = onSignals(server);
  startedUp?.();
  worker?.attachToPrimary(server, stop);
  try {
    await server.ready;
  } catch (e) {
    const err = e as StartupError;
    server.app.log.fatal(err.message);
    process.exit(err.exitCode ?? 1);
  }
  worker?.reportReady();
  // Someone at a terminal gets curl lines to paste; a log collector (stdout not a TTY) only JSON lines.
  // (Not from cluster workers: N banners would interleave.)
  if (process.stdout.isTTY && worker === undefined) {
    const { port } = server.app.server.address() as AddressInfo;
    const banner = formatBanner(usage(server.registry, { host: config.host, port }, server.metricsUrl));
    // The logger buffers its writes: flush them first, so the banner normally follows the ready line.
    // fastify's logger is pino, whose flush(cb) its base logger type leaves out.
    (server.app.log as unknown as { flush(cb: () => void): void }).flush(() => process.stdout.write(banner));
  }
}

main().catch((e: unknown) => fail(`unexpected error: ${(e as Error).message}`, 1));
