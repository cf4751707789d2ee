import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '../../..');

/** `npm run compare` builds the server first; tests build it once when it is not built yet. */
export function ensureServerBuilt(): void {
  if (existsSync(path.join(ROOT, 'model-server/dist/main.js'))) return;
  execFileSync('npm', ['run', 'build', '-w', 'model-server'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
