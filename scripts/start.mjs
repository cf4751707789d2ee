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
  const help = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'model-server/src/main.ts'), ...args],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  process.exit(help.status ?? 1);
}

const build = spawnSync('npm', ['run', 'build', '-w', 'model-server'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
// The bundle reads its flags from process.argv.slice(2): the same arguments this script got.
await import(pathToFileURL(join(root, 'model-server/dist/main.js')).href);
