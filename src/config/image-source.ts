import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { ImageBuildProps, ImageSourceProps } from '../constructs/docker/image-reference';
import type { ImageSource } from './resolve';

/**
 * What `model-server/Dockerfile` copies into the image, relative to the repository root: the same list the
 * root `.dockerignore` lets through, plus the Dockerfile and `.dockerignore` themselves. A change to any of
 * them gives the image a new tag; nothing else does.
 */
export const IMAGE_SOURCE_PATHS: readonly string[] = [
  '.dockerignore',
  'package.json',
  'package-lock.json',
  'model-server/Dockerfile',
  'model-server/package.json',
  'model-server/tsconfig.json',
  'model-server/src',
  'model-server/models',
];

/** Never part of the image (the `.dockerignore` excludes them). */
const EXCLUDED = [/(^|\/)node_modules(\/|$)/, /\.test\.ts$/, /(^|\/)\.DS_Store$/];

/**
 * SHA-256 over the relative path and content of every file under `paths` (sorted; directories walked),
 * so the value depends on file contents only: not on mtimes, the checkout's location or the file order
 * on disk. A listed path that does not exist counts as such, so adding it later changes the hash.
 */
export function hashImageSources(rootDir: string, paths: readonly string[] = IMAGE_SOURCE_PATHS): string {
  const files = new Set<string>();
  const missing: string[] = [];
  for (const listed of paths) {
    const absolute = path.join(rootDir, listed);
    if (!existsSync(absolute)) {
      missing.push(listed);
      continue;
    }
    for (const file of walk(rootDir, absolute)) files.add(file);
  }
  const hash = createHash('sha256');
  for (const file of [...files].sort()) {
    const content = createHash('sha256')
      .update(readFileSync(path.join(rootDir, file)))
      .digest('hex');
    hash.update(`file ${file}\0${content}\n`);
  }
  for (const listed of missing.sort()) hash.update(`missing ${listed}\n`);
  return hash.digest('hex');
}

function walk(rootDir: string, absolute: string): string[] {
  const relative = path.relative(rootDir, absolute).split(path.sep).join('/');
  if (EXCLUDED.some((pattern) => pattern.test(relative))) return [];
  if (!statSync(absolute).isDirectory()) return [relative];
  return readdirSync(absolute)
    .sort()
    .flatMap((entry) => walk(rootDir, path.join(absolute, entry)));
}

/** Turns a configured image source into construct props; build mode needs the build inputs. */
export function toImageSourceProps(
  stack: string,
  source: ImageSource,
  build: ImageBuildProps | undefined,
): ImageSourceProps {
  if (source.mode === 'prebuilt') return { kind: 'prebuilt', uri: source.uri };
  if (!build) throw new Error(`${stack}: image mode is build but no build inputs (sourceHash) were given`);
  return { kind: 'build', ...build };
}
