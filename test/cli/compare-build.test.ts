import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createCompareCommand } from '../../src/cli/compare';
import type { CliIo } from '../../src/cli/io';
import { runCli } from '../../src/cli/main';
import { CommandError } from '../../src/cli/usage-error';
import { SERVER_MAIN } from '../../src/compare/local-servers';
import { ensureServerBuilt, serverBuildStaleness } from '../../src/compare/server-build';

const ROOT = path.join(__dirname, '../..');

function capture(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, cwd: ROOT };
}

/** The compare verb with a build step that records its calls and stops the run there. */
function compareWithRecordedBuild() {
  const builds: string[] = [];
  const compare = createCompareCommand({
    ensureServerBuilt: (rootDir) => {
      builds.push(rootDir);
      throw new CommandError('stopped after the build step');
    },
  });
  return { builds, commands: { compare } };
}

describe('npm run compare builds the server only for a run', () => {
  it('the npm script itself builds nothing (the command does, when it runs)', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.compare).toBe('tsx src/cli/main.ts compare');
  });

  it('--help prints the usage without building', async () => {
    const { builds, commands } = compareWithRecordedBuild();
    const io = capture();
    await expect(runCli(['compare', '--help'], io, commands)).resolves.toBe(0);
    expect(io.out.join('')).toContain('usage: npm run compare --');
    expect(builds).toEqual([]);
  });

  it.each([
    [['--local', '--nonsense']],
    [['--local', '--concurrency', '0']],
    [['--eks', 'not-a-url']],
    [[]],
    [['--local', '--model', 'no-such-model']],
  ])('argument errors (%j) answer with exit 2 without building', async (args) => {
    const { builds, commands } = compareWithRecordedBuild();
    const io = capture();
    await expect(runCli(['compare', ...args], io, commands)).resolves.toBe(2);
    expect(io.err.join('')).toMatch(/^error: /);
    expect(builds).toEqual([]);
  });

  it('a valid run builds first, in the project root, before starting any server', async () => {
    const { builds, commands } = compareWithRecordedBuild();
    const io = capture();
    await expect(runCli(['compare', '--local'], io, commands)).resolves.toBe(1);
    expect(builds).toEqual([ROOT]);
    expect(io.err.join('')).toBe('error: stopped after the build step\n');
    expect(io.out.join('')).toBe('');
  });
});

describe('serverBuildStaleness', () => {
  const at = (file: string, seconds: number) => utimesSync(file, seconds, seconds);

  function project(): string {
    const root = mkdtempSync(path.join(tmpdir(), 'server-build-'));
    mkdirSync(path.join(root, 'model-server/src/core'), { recursive: true });
    mkdirSync(path.join(root, 'model-server/dist'), { recursive: true });
    for (const file of [
      'model-server/src/core/app.ts',
      'model-server/package.json',
      'model-server/tsconfig.json',
      'package-lock.json',
    ]) {
      writeFileSync(path.join(root, file), '{}');
      at(path.join(root, file), 1_000);
    }
    at(path.join(root, 'model-server/src/core'), 1_000);
    at(path.join(root, 'model-server/src'), 1_000);
    return root;
  }

  it('names a missing bundle', () => {
    expect(serverBuildStaleness(project())).toBe(`no built server at ${SERVER_MAIN}`);
  });

  it('is undefined when the bundle is newer than every input', () => {
    const root = project();
    writeFileSync(path.join(root, SERVER_MAIN), '');
    at(path.join(root, SERVER_MAIN), 2_000);
    expect(serverBuildStaleness(root)).toBeUndefined();
  });

  it.each([
    ['model-server/src/core/app.ts', 'model-server/src'],
    ['model-server/package.json', 'model-server/package.json'],
    ['package-lock.json', 'package-lock.json'],
  ])('names the input changed after the build (%s)', (file, named) => {
    const root = project();
    writeFileSync(path.join(root, SERVER_MAIN), '');
    at(path.join(root, SERVER_MAIN), 2_000);
    at(path.join(root, file), 3_000);
    expect(serverBuildStaleness(root)).toBe(`${named} changed after ${SERVER_MAIN} was built`);
  });

  it('ensureServerBuilt builds only a stale server, and says why', () => {
    const root = project();
    const builds: string[] = [];
    const printed: string[] = [];
    ensureServerBuilt(
      root,
      (t) => printed.push(t),
      (dir) => builds.push(dir),
    );
    expect(builds).toEqual([root]);
    expect(printed.join('')).toContain(`no built server at ${SERVER_MAIN}`);

    writeFileSync(path.join(root, SERVER_MAIN), '');
    at(path.join(root, SERVER_MAIN), 2_000);
    ensureServerBuilt(
      root,
      (t) => printed.push(t),
      (dir) => builds.push(dir),
    );
    expect(builds).toEqual([root]);
  });
});
