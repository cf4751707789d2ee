/**
 * Starts, inspects and removes containers of the serving image with podman. Every container carries this run's
 * label, so the driver script (scripts/image/test-image.sh) can remove whatever a crashed run left behind, and
 * `removeStartedContainers()` removes each one this process started, by id.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../../..');

/** The image under test (scripts/image/podman-env.sh sets it). */
export const IMAGE = process.env.SERVING_IMAGE ?? 'localhost/model-server:test';
/** The label value that marks this run's containers. */
export const RUN_LABEL = `model-server-image-test=${process.env.IMAGE_TEST_RUN_ID ?? `pid-${process.pid}`}`;

// jest may run outside the driver script: podman still needs the project's settings and store.
const podmanEnv: NodeJS.ProcessEnv = {
  ...process.env,
  CONTAINERS_CONF: process.env.CONTAINERS_CONF ?? path.join(repoRoot, 'scripts/image/containers.conf'),
  CONTAINERS_STORAGE_CONF:
    process.env.CONTAINERS_STORAGE_CONF ?? path.join(repoRoot, 'scripts/image/storage.conf'),
};

export interface PodmanResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** Runs podman; a non-zero exit is returned, not thrown, when `allowFailure` is set. */
export async function podman(args: readonly string[], allowFailure = false): Promise<PodmanResult> {
  try {
    const { stdout, stderr } = await exec('podman', [...args], {
      env: podmanEnv,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number | string };
    const result = {
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
      code: typeof e.code === 'number' ? e.code : 1,
    };
    if (allowFailure) return result;
    throw new Error(`podman ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
  }
}

const started = new Set<string>();

export interface RunOptions {
  /** `podman run` options placed before the image: ports, environment, user, mounts. */
  readonly options?: readonly string[];
  /** Arguments after the image, passed to the entrypoint (SageMaker passes `serve`). */
  readonly args?: readonly string[];
}

/** A running (or exited) container of the image under test. */
export class Container {
  constructor(
    readonly id: string,
    /** Date.now() when `podman run -d` returned. */
    readonly startedAt: number,
  ) {}

  /** Everything the container wrote to stdout and stderr so far. */
  async logs(): Promise<string> {
    const { stdout, stderr } = await podman(['logs', this.id], true);
    return stdout + stderr;
  }

  /** Waits for the container to exit (at most `timeoutMs`) and returns its exit code. */
  async waitForExit(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await this.state();
      if (state.status === 'exited' || state.status === 'stopped') return state.exitCode;
      if (Date.now() > deadline)
        throw new Error(`container ${this.id} still ${state.status} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async state(): Promise<{ status: string; exitCode: number }> {
    const { stdout } = await podman([
      'inspect',
      '--format',
      '{{.State.Status}} {{.State.ExitCode}}',
      this.id,
    ]);
    const [status, code] = stdout.trim().split(' ');
    return { status, exitCode: Number(code) };
  }

  /** `podman stop -t <grace>` (SIGTERM, SIGKILL after the grace period); resolves with the milliseconds taken. */
  async stop(graceSeconds: number): Promise<number> {
    const t0 = Date.now();
    await podman(['stop', '-t', String(graceSeconds), this.id]);
    return Date.now() - t0;
  }

  /** The numeric user id the server process (PID 1) runs as, read from /proc inside the container. */
  async processUid(): Promise<number> {
    const { stdout } = await podman(['exec', this.id, 'cat', '/proc/1/status']);
    const line = stdout.split('\n').find((l) => l.startsWith('Uid:'));
    if (line === undefined) throw new Error(`no Uid line in /proc/1/status of ${this.id}`);
    return Number(line.split(/\s+/)[1]);
  }

  async remove(): Promise<void> {
    await podman(['rm', '--force', '--time', '0', this.id], true);
    started.delete(this.id);
  }
}

/** `podman run -d` with this run's label; the container is removed by `removeStartedContainers()`. */
export async function runContainer(run: RunOptions = {}): Promise<Container> {
  const { stdout } = await podman([
    'run',
    '-d',
    '--label',
    RUN_LABEL,
    ...(run.options ?? []),
    IMAGE,
    ...(run.args ?? []),
  ]);
  const startedAt = Date.now();
  const id = stdout.trim().split('\n').pop()!;
  started.add(id);
  return new Container(id, startedAt);
}

/** `podman run --rm` to completion (e.g. a shell command with `--entrypoint sh`); resolves with its output. */
export async function runToCompletion(run: RunOptions): Promise<PodmanResult> {
  return podman(
    ['run', '--rm', '--label', RUN_LABEL, ...(run.options ?? []), IMAGE, ...(run.args ?? [])],
    true,
  );
}

/** Removes every container this process started and has not removed yet (for afterAll). */
export async function removeStartedContainers(): Promise<void> {
  const ids = [...started];
  started.clear();
  if (ids.length > 0) await podman(['rm', '--force', '--time', '0', ...ids], true);
}

/** The image's configuration as podman reports it. */
export async function inspectImage(): Promise<{
  User: string;
  Entrypoint: string[];
  ExposedPorts: Record<string, unknown>;
  Env: string[];
  Labels: Record<string, string>;
  StopSignal: string;
  WorkingDir: string;
}> {
  const { stdout } = await podman(['image', 'inspect', '--format', '{{json .Config}}', IMAGE]);
  return JSON.parse(stdout);
}
