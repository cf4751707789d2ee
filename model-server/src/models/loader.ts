import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { LoadedModel } from '../core/types';
import { PACKAGE_ROOT } from '../package-root';
import { parseBundleMetadata } from './metadata';
import { TextModel } from './text/text-model';
import { parseTfidfLogreg } from './text/tfidf-artifact';
import { bareBoosterMetadata } from './xgboost/bare-booster';
import { parseBoosterJson } from './xgboost/booster-json';
import { XGBoostModel } from './xgboost/xgboost-model';

/** The metadata file that makes a directory a bundle. */
export const METADATA_FILE = 'metadata.json';
/** The file that makes a directory without metadata a bare booster. */
export const BARE_BOOSTER_FILE = 'model.json';

/** The models baked into the image: `model-server/models`. */
export const BUNDLED_MODELS_DIR: string = join(PACKAGE_ROOT, 'models');

/** Where models come from. */
export interface ModelSource {
  /** A bundle directory, or a directory whose subdirectories are bundles. */
  readonly dir: string;
  /**
   * Name of the model when `dir` is itself a bundle (MODEL_NAME).
   * @default - the directory's name
   */
  readonly modelName?: string;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function isBundle(dir: string): Promise<boolean> {
  return (await isFile(join(dir, METADATA_FILE))) || (await isFile(join(dir, BARE_BOOSTER_FILE)));
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new Error(
      `${file}: cannot read the ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: the ${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Loads one bundle directory (metadata.json + artifact, or a bare model.json) as the model `name`. */
export async function loadBundle(dir: string, name: string): Promise<LoadedModel> {
  const metadataFile = join(dir, METADATA_FILE);
  if (!(await isFile(metadataFile))) {
    const file = join(dir, BARE_BOOSTER_FILE);
    const booster = parseBoosterJson(await readJson(file, 'XGBoost model'), file);
    return new XGBoostModel(name, bareBoosterMetadata(name, BARE_BOOSTER_FILE, booster), booster, dir);
  }
  const metadata = parseBundleMetadata(await readJson(metadataFile, 'bundle metadata'), metadataFile);
  const artifactFile = join(dir, metadata.artifact);
  if (metadata.kind === 'xgboost') {
    const booster = parseBoosterJson(await readJson(artifactFile, 'XGBoost model'), artifactFile);
    return new XGBoostModel(name, metadata, booster, dir);
  }
  const text = parseTfidfLogreg(await readJson(artifactFile, 'text model'), artifactFile);
  return new TextModel(name, metadata, text, dir);
}

/** Why a path cannot be read, in words: only ENOENT means that it does not exist. */
function unreadable(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'does not exist';
    case 'ELOOP':
      return 'is a symbolic link loop (ELOOP); point MODEL_DIR at a real directory';
    case 'EACCES':
    case 'EPERM':
      return `cannot be read by this user (${e.code})`;
    case 'ENOTDIR':
      return 'is under a path component that is not a directory (ENOTDIR)';
    default:
      return `cannot be read (${e.code ?? e.message})`;
  }
}

/**
 * The bundle rule (docs/design.md, "Model bundles"): a directory that is itself a bundle serves one model
 * (named `modelName`, else the directory's name); otherwise each subdirectory that is a bundle is a model
 * named after it. Throws an Error naming the directory and the problem when it is missing, holds no bundle,
 * or a bundle is corrupt.
 */
export async function loadModels(source: ModelSource): Promise<LoadedModel[]> {
  const dir = resolve(source.dir);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(dir);
  } catch (e) {
    throw new Error(`Model directory ${dir} ${unreadable(e as NodeJS.ErrnoException)}`);
  }
  if (!info.isDirectory()) throw new Error(`Model directory ${dir} is not a directory`);

  if (await isBundle(dir)) {
    return [await loadBundleOrExplain(dir, source.modelName ?? basename(dir))];
  }
  const entries = (await readdir(dir)).sort();
  const bundles: string[] = [];
  for (const name of entries) {
    // Hidden entries are not models: Kubernetes volumes hold `..data` links to the same files.
    if (name.startsWith('.')) continue;
    // stat, not the directory entry's type, so a symbolic link to a bundle directory counts.
    const isDir = await stat(join(dir, name)).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (isDir && (await isBundle(join(dir, name)))) bundles.push(name);
  }
  if (bundles.length === 0) {
    const seen = entries.length === 0 ? 'it is empty' : `it holds ${entries.join(', ')}`;
    throw new Error(
      `No model bundle in ${dir}: expected ${METADATA_FILE} or ${BARE_BOOSTER_FILE} in it or in one of its ` +
        `subdirectories, but ${seen}`,
    );
  }
  const models: LoadedModel[] = [];
  for (const name of bundles) models.push(await loadBundleOrExplain(join(dir, name), name));
  return models;
}

async function loadBundleOrExplain(dir: string, name: string): Promise<LoadedModel> {
  try {
    return await loadBundle(dir, name);
  } catch (e) {
    throw new Error(`Cannot load model '${name}' from ${dir}: ${(e as Error).message}`);
  }
}
