import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Builds model-server (tsc) so that the spawned `node model-server/dist/main.js` is the current code.
 * RELIABILITY_SKIP_BUILD=1 skips it when dist/ was just built (e.g. by CI's build step).
 */
export default function globalSetup(): void {
  if (process.env.RELIABILITY_SKIP_BUILD === '1') return;
  execFileSync('npm', ['run', 'build', '-w', 'model-server'], {
    cwd: join(__dirname, '..', '..', '..'),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
