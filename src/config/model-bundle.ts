import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { bundleProblem } from '../artifact/bundle-dir';
import { ConfigError } from './errors';

/** One file of a bundle as the bucket construct uploads it. */
export interface ModelBundleFile {
  /** Path inside the bundle, `/`-separated (the object name under the bundle's prefix). */
  readonly name: string;
  /** The file relative to Terraform's working directory `cdktf.out/stacks/<stack>` (never absolute). */
  readonly source: string;
  /** Base64 MD5 of the content: `source_md5hash`, so a changed file replaces its object. */
  readonly md5Base64: string;
}

/** A model bundle read at synth time: its files and one content hash over all of them. */
export interface ModelBundle {
  readonly files: readonly ModelBundleFile[];
  /** SHA-256 (hex) over every file's name and content: the bundle's version. */
  readonly contentHash: string;
}

/** From `cdktf.out/stacks/<stack>` back to the project root. */
export const STACK_DIR_TO_ROOT = '../../..';

/**
 * Reads the bundle directory `dir` (relative to `rootDir`, the project root) for upload. Throws a
 * ConfigError naming `field` when it is not a bundle. Hashes depend on names and contents only, so the
 * result is the same on every machine.
 */
export function readModelBundle(rootDir: string, dir: string, field = 'vertex.modelDir'): ModelBundle {
  const absolute = path.resolve(rootDir, dir);
  // The one bundle rule the SageMaker artifact uses too (metadata, or a bare booster).
  const problem = bundleProblem(absolute);
  if (problem) {
    throw new ConfigError('model bundle', [
      `${field}: got ${JSON.stringify(dir)}; expected a model bundle directory (${problem})`,
    ]);
  }
  const relativeDir = path.relative(rootDir, absolute).split(path.sep).join('/');
  const total = createHash('sha256');
  const files = walk(absolute)
    .sort()
    .map((name): ModelBundleFile => {
      const content = readFileSync(path.join(absolute, name));
      total.update(`${name}\0${createHash('sha256').update(content).digest('hex')}\n`);
      return {
        name,
        source: `${STACK_DIR_TO_ROOT}/${relativeDir}/${name}`,
        md5Base64: createHash('md5').update(content).digest('base64'),
      };
    });
  return { files, contentHash: total.digest('hex') };
}

function walk(dir: string, prefix = ''): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...walk(dir, name));
    else if (entry.isFile()) found.push(name);
  }
  return found;
}
