/**
 * Corrupt or missing model bundles: the server must never report ready, and must exit non-zero with a
 * message that names what is wrong (no stack trace), quickly enough for a platform to see the failure.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpStatus, sleep } from '../../bench/harness/process';
import { BANKCHURN_DIR, startServer } from './support/server';

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'bad-bundles-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A copy of the bankchurn bundle in a fresh directory, for one test to break. */
function bundleCopy(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(BANKCHURN_DIR, 'metadata.json'), join(dir, 'metadata.json'));
  copyFileSync(join(BANKCHURN_DIR, 'model.json'), join(dir, 'model.json'));
  return dir;
}

const CASES: { name: string; make: () => string; message: (dir: string) => RegExp }[] = [
  {
    name: 'a truncated model.json',
    make: () => {
      const dir = bundleCopy('truncated');
      const text = readFileSync(join(dir, 'model.json'), 'utf8');
      writeFileSync(join(dir, 'model.json'), text.slice(0, Math.floor(text.length / 2)));
      return dir;
    },
    message: (dir) => new RegExp(`${escapeRegExp(join(dir, 'model.json'))}.*not valid JSON`),
  },
  {
    name: 'an empty directory',
    make: () => {
      const dir = join(root, 'empty');
      mkdirSync(dir);
      return dir;
    },
    message: (dir) => new RegExp(escapeRegExp(dir)),
  },
  {
    name: 'metadata naming a missing artifact',
    make: () => {
      const dir = bundleCopy('missing-artifact');
      const metadata = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ ...metadata, artifact: 'booster-v2.json' }));
      return dir;
    },
    message: () => /booster-v2\.json/,
  },
  {
    name: 'metadata.json that is not JSON',
    make: () => {
      const dir = bundleCopy('bad-metadata');
      writeFileSync(join(dir, 'metadata.json'), '{"name": "bankchurn", ');
      return dir;
    },
    message: (dir) => new RegExp(escapeRegExp(join(dir, 'metadata.json'))),
  },
  {
    name: 'a model.json that is JSON but not a booster',
    make: () => {
      const dir = bundleCopy('not-a-booster');
      writeFileSync(
        join(dir, 'model.json'),
        JSON.stringify({ learner: { gradient_booster: {} }, version: [1, 7, 4] }),
      );
      return dir;
    },
    message: (dir) => new RegExp(escapeRegExp(join(dir, 'model.json'))),
  },
  {
    name: 'a directory that does not exist',
    make: () => join(root, 'nowhere'),
    message: (dir) => new RegExp(`${escapeRegExp(dir)}.*does not exist`),
  },
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('a corrupt or missing bundle', () => {
  test.each(CASES)('$name: never ready, exits non-zero with a clear message', async ({ make, message }) => {
    const dir = make();
    const server = await startServer({ MODEL_DIR: dir, LOG_LEVEL: 'info' }, { waitReady: false });
    const started = performance.now();
    const readiness: number[] = [];
    let exited = false;
    void server.exit.then(() => {
      exited = true;
    });
    while (!exited && performance.now() - started < 20_000) {
      readiness.push(await httpStatus(server.url('/health/ready'), 500));
      await sleep(20);
    }
    if (!exited) await server.stop(1000);
    const { code } = await server.exit;
    const output = server.running.output();
    expect(exited).toBe(true);
    expect(readiness).not.toContain(200);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(output).toMatch(message(dir));
    expect(output).not.toMatch(/\n\s+at /);
    process.stdout.write(
      `exit ${code} after ${(performance.now() - started).toFixed(0)} ms: ${lastLine(output)}\n`,
    );
  });
});

function lastLine(output: string): string {
  return output.trim().split('\n').slice(-1)[0]!.slice(0, 300);
}
