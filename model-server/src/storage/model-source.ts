import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerConfig } from '../config';
import { BARE_BOOSTER_FILE, METADATA_FILE } from '../models/loader';
import { downloadGcsPrefix } from './gcs';

/** Where the models are read from, and why that place was chosen. */
export interface ResolvedModelSource {
  readonly dir: string;
  readonly modelName?: string;
  /** `MODEL_DIR`, `AIP_STORAGE_URI`, `SAGEMAKER_MODEL_DIR` or `bundled`. */
  readonly origin: string;
  /** For the log: the directory, or the gs:// URI it was downloaded from. */
  readonly description: string;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function isBundle(dir: string): Promise<boolean> {
  return (await exists(join(dir, METADATA_FILE))) || (await exists(join(dir, BARE_BOOSTER_FILE)));
}

/** The directory is a bundle or has a subdirectory that is one (the bundle rule's two cases). */
export async function holdsBundle(dir: string): Promise<boolean> {
  if (await isBundle(dir)) return true;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isDirectory() && (await isBundle(join(dir, e.name)))) return true;
  return false;
}

export interface ResolveOptions {
  readonly bundledDir: string;
  /** Downloads a gs:// prefix and returns the local directory (tests may replace it). */
  readonly download?: (uri: string) => Promise<string>;
}

/**
 * The order of docs/design.md ("Where models come from"): `--model-dir`/`MODEL_DIR`; on Vertex the
 * `AIP_STORAGE_URI` download; on SageMaker `/opt/ml/model` when it holds a bundle; else the bundled models.
 */
export async function resolveModelSource(
  config: ServerConfig,
  options: ResolveOptions,
): Promise<ResolvedModelSource> {
  if (config.modelDir !== undefined) {
    return {
      dir: config.modelDir,
      modelName: config.modelName,
      origin: 'MODEL_DIR',
      description: config.modelDir,
    };
  }
  if (config.storageUri !== undefined) {
    const uri = config.storageUri;
    const download =
      options.download ??
      ((u: string) => downloadGcsPrefix({ uri: u, emulatorHost: config.storageEmulatorHost }));
    let dir: string;
    try {
      dir = await download(uri);
    } catch (e) {
      throw new Error(`cannot download the models from AIP_STORAGE_URI=${uri}: ${(e as Error).message}`);
    }
    return {
      dir,
      modelName: config.modelName,
      origin: 'AIP_STORAGE_URI',
      description: `${uri} (into ${dir})`,
    };
  }
  if (await holdsBundle(config.sagemakerModelDir)) {
    return {
      dir: config.sagemakerModelDir,
      modelName: config.modelName,
      origin: 'SAGEMAKER_MODEL_DIR',
      description: config.sagemakerModelDir,
    };
  }
  return { dir: options.bundledDir, origin: 'bundled', description: options.bundledDir };
}
