/**
 * The benchmark and the reliability tests start the server with the V8 flags the image does, so what they
 * measure is what production runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeServer, REPO_ROOT, SERVER_NODE_FLAGS } from '../../bench/harness/servers';

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
