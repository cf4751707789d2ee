import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** The files that make a directory a model bundle (the server's loader: metadata, or a bare booster). */
export const BUNDLE_MARKER_FILES = ['metadata.json', 'model.json'] as const;

/** Why `dir` is not a model bundle, or undefined when it is one. */
export function bundleProblem(dir: string): string | undefined {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return 'no such directory';
  if (!BUNDLE_MARKER_FILES.some((file) => existsSync(path.join(dir, file)))) {
    return `it holds neither ${BUNDLE_MARKER_FILES.join(' nor ')}`;
  }
  return undefined;
}
