import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CommandError } from '../cli/usage-error';
import { SERVER_MAIN } from './local-servers';

/** What the bundle at `SERVER_MAIN` is built from, relative to the project root (a folder counts by its files). */
export const SERVER_BUILD_INPUTS: readonly string[] = [
  'model-server/src',
  'model-server/package.json',
  'model-server/tsconfig.json',
  'package-lock.json',
];

function newestMtimeMs(file: string): number {
  if (!existsSync(file)) return 0;
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(file)) newest = Math.max(newest, newestMtimeMs(path.join(file, entry)));
  return newest;
}

/**
 * Why the built server must be (re)built before a run, or `undefined` when it is newer than every input.
 * Modification times, as make compares them: a checkout or an edit makes an input newer than the bundle.
 */
export function serverBuildStaleness(rootDir: string): string | undefined {
  const main = path.join(rootDir, SERVER_MAIN);
  if (!existsSync(main)) return `no built server at ${SERVER_MAIN}`;
  const built = statSync(main).mtimeMs;
  const newer = SERVER_BUILD_INPUTS.find((input) => newestMtimeMs(path.join(rootDir, input)) > built);
  return newer === undefined ? undefined : `${newer} changed after ${SERVER_MAIN} was built`;
}

/** Runs `npm run build -w model-server` in `rootDir`; its errors go to the terminal. */
export function buildServer(rootDir: string): void {
  try {
    execFileSync('npm', ['run', '-s', 'build', '-w', 'model-server'], {
      cwd: rootDir,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  } catch (error) {
    throw new CommandError(`npm run build -w model-server failed: ${(error as Error).message}`);
  }
}

/** Builds the server when it is missing or older than its sources; says so on `print`. */
export function ensureServerBuilt(
  rootDir: string,
  print: (text: string) => void,
  build: (rootDir: string) => void = buildServer,
): void {
  const reason = serverBuildStaleness(rootDir);
  if (reason === undefined) return;
  print(`building the model server (${reason}): npm run build -w model-server …\n`);
  build(rootDir);
}
