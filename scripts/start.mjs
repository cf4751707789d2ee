/**
 * `npm start [-- flags]`: builds the server (type-check and bundle, several seconds) and runs the bundle in
 * this process. `--help` answers from the sources without building, so reading the settings is instant.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

if (args.includes('--help') || args.includes('-h')) {
  // Only the settings module is bundled (esbuild, in memory, tens of milliseconds), not the server: running
  // main.ts through tsx took seconds to transpile fastify's import graph. Same text and exit code as main.ts.
  const { build } = await import('esbuild');
  const bundled = await build({
    entryPoints: [join(root, 'model-server/src/config.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    logLevel: 'silent',
  });
  const source = Buffer.from(bundled.outputFiles[0].text).toString('base64');
  const { HELP_TEXT } = await import(`data:text/javascript;base64,${source}`);
  process.stdout.write(`${HELP_TEXT}\n`);
  process.exit(0);
}

const build = spawnSync('npm', ['run', 'build', '-w', 'model-server'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
// The bundle reads its flags from process.argv.slice(2): the same arguments this script got.
await import(pathToFileURL(join(root, 'model-server/dist/main.js')).href);
