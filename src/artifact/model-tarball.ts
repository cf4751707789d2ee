import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { constants, gzipSync } from 'node:zlib';

/**
 * Packs a model bundle directory as SageMaker's `model.tar.gz`, byte for byte the same for the same file
 * contents: whatever the files' mtimes, owners, modes, the umask or the order the directory lists them in.
 * Entries sit at the archive root, because SageMaker unpacks the archive into `/opt/ml/model`, which the
 * server then reads as one bundle. A plain ustar writer: the format is small, and a library would have to
 * be told to drop every machine-dependent field anyway.
 */

/** Modification time of every entry: the epoch, so the clock never reaches the archive. */
export const TARBALL_MTIME = 0;
/** Mode of every file: readable by whatever user the platform runs the container as (SageMaker: root). */
export const TARBALL_FILE_MODE = 0o644;
/** Mode of every directory. */
export const TARBALL_DIR_MODE = 0o755;
/** gzip's OS byte: 255 "unknown", instead of the one zlib was built for. */
const GZIP_OS_UNKNOWN = 255;
const BLOCK = 512;

export interface ModelTarball {
  /** The gzip-compressed tar archive. */
  readonly bytes: Buffer;
  /** sha256 of `bytes`, hex. */
  readonly sha256: string;
  /** Paths of the entries in archive order (directories end in `/`). */
  readonly entries: readonly string[];
}

/** Packs every regular file and directory under `dir`; a symbolic link or other special file is an error. */
export function packModelTarball(dir: string): ModelTarball {
  const entries = listEntries(dir);
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    if (entry.endsWith('/')) {
      blocks.push(header(entry, 0, TARBALL_DIR_MODE, '5'));
      continue;
    }
    const content = readFileSync(path.join(dir, entry));
    blocks.push(header(entry, content.length, TARBALL_FILE_MODE, '0'), content, padding(content.length));
  }
  // End of archive: two zero blocks.
  blocks.push(Buffer.alloc(2 * BLOCK));
  const bytes = gzipSync(Buffer.concat(blocks), { level: constants.Z_BEST_COMPRESSION });
  // zlib writes MTIME 0 already; the OS byte depends on the platform zlib was built for.
  bytes[9] = GZIP_OS_UNKNOWN;
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), entries };
}

/** Relative POSIX paths, sorted by their UTF-8 bytes (not locale, not directory order). */
function listEntries(root: string): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const name of readdirSync(path.join(root, relative))) {
      const child = relative === '' ? name : `${relative}/${name}`;
      const stat = lstatSync(path.join(root, child));
      if (stat.isDirectory()) {
        found.push(`${child}/`);
        walk(child);
      } else if (stat.isFile()) {
        found.push(child);
      } else {
        throw new Error(`${path.join(root, child)}: only regular files and directories can be packed`);
      }
    }
  };
  walk('');
  return found.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

function header(name: string, size: number, mode: number, type: '0' | '5'): Buffer {
  const block = Buffer.alloc(BLOCK);
  const { prefix, base } = splitName(name);
  block.write(base, 0, 100, 'utf8');
  octal(block, 100, 8, mode);
  octal(block, 108, 8, 0); // uid
  octal(block, 116, 8, 0); // gid
  octal(block, 124, 12, size);
  octal(block, 136, 12, TARBALL_MTIME);
  block.fill(0x20, 148, 156); // checksum field counts as spaces while summing
  block.write(type, 156, 1, 'ascii');
  block.write('ustar\u000000', 257, 8, 'ascii'); // magic "ustar\0" + version "00"
  // uname and gname stay empty: no owner name travels.
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return block;
}

/** ustar keeps names up to 100 bytes, or a prefix of up to 155 bytes plus a name of up to 100. */
function splitName(name: string): { prefix: string; base: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', base: name };
  const slash = name.lastIndexOf('/', name.endsWith('/') ? name.length - 2 : name.length - 1);
  const prefix = name.slice(0, Math.max(slash, 0));
  const base = name.slice(slash + 1);
  if (slash <= 0 || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(base) > 100) {
    throw new Error(`${name}: path too long for a tar entry (at most 155 + 100 bytes split at a /)`);
  }
  return { prefix, base };
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'ascii');
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}
