/**
 * The benchmark and the reliability tests start the server with the V8 flags the image does, and the benchmark
 * at the server's default log level, so what they measure is what production runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeServer, PRODUCTION_LOG_LEVEL, REPO_ROOT, SERVER_NODE_FLAGS } from '../../bench/harness/servers';
import { parseConfig } from '../../model-server/src/config';

function entrypoint(): string[] {
  const dockerfile = readFileSync(join(REPO_ROOT, 'model-server', 'Dockerfile'), 'utf8');
  const line = dockerfile.split('\n').find((l) => l.startsWith('ENTRYPOINT '));
  if (line === undefined) throw new Error('the Dockerfile has no ENTRYPOINT');
  return JSON.parse(line.slice('ENTRYPOINT '.length)) as string[];
}

it("the image's ENTRYPOINT is node, the benchmark's flags, then the bundle", () => {
  expect(entrypoint()).toEqual(['node', ...SERVER_NODE_FLAGS, 'dist/main.js']);
});

it('starts the server with a 32 MB semi-space', () => {
  expect(SERVER_NODE_FLAGS).toContain('--max-semi-space-size=32');
});

it('the benchmark passes those flags to node before the bundle', () => {
  const spec = nodeServer('/models/bankchurn', 'bankchurn').spawnSpec({ port: 1, metricsPort: 2 }, '0');
  expect(spec.command).toBe(process.execPath);
  expect(spec.args).toEqual([...SERVER_NODE_FLAGS, join(REPO_ROOT, 'model-server', 'dist', 'main.js')]);
});

it("the benchmark runs the server at the log level production runs (the server's default), a line per request", () => {
  const env = (logLevel?: string) =>
    nodeServer('/models/bankchurn', 'bankchurn', { logLevel }).spawnSpec({ port: 1, metricsPort: 2 }, '0')
      .env;
  const defaults = parseConfig([], {});
  expect(PRODUCTION_LOG_LEVEL).toBe(defaults.logLevel);
  expect(env().LOG_LEVEL).toBe('info');
  expect(env('warn').LOG_LEVEL).toBe('warn');
});
