import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadModels } from '../../model-server/src/models/loader';
import { packModelTarball, TARBALL_DIR_MODE, TARBALL_FILE_MODE } from '../../src/artifact/model-tarball';

const BANKCHURN = path.join(__dirname, '../../model-server/models/bankchurn');
/**
 * sha256 of bankchurn's model.tar.gz. It changes only when the bundle's bytes change (then re-pin it,
 * together with the stack snapshot, which names the same hash).
 */
const BANKCHURN_TARBALL_SHA256 = '7bdc9d4e51defe3cbf2f169cb5069b939b3afb0da887a470cbd1bbb755136fa5';

const fresh = (name: string) => mkdtempSync(path.join(tmpdir(), `${name}-`));

/** Copies the bundle's files in the given order, then gives every file the given mtime and mode. */
function copyBundle(order: 'forward' | 'reverse', mtime: Date, mode: number, umask: number): string {
  const previous = process.umask(umask);
  try {
    const dir = fresh('bundle-copy');
    const names = readdirSync(BANKCHURN).sort();
    for (const name of order === 'forward' ? names : names.reverse()) {
      copyFileSync(path.join(BANKCHURN, name), path.join(dir, name));
      chmodSync(path.join(dir, name), mode);
      utimesSync(path.join(dir, name), mtime, mtime);
    }
    return dir;
  } finally {
    process.umask(previous);
  }
}

interface TarEntry {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  type: string;
  uname: string;
}

function tarEntries(gz: Buffer): TarEntry[] {
  const tar = gunzipSync(gz);
  const entries: TarEntry[] = [];
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const text = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const octal = (start: number, length: number) => Number.parseInt(text(start, length).trim(), 8);
    const prefix = text(345, 155);
    const size = octal(124, 12);
    entries.push({
      name: prefix ? `${prefix}/${text(0, 100)}` : text(0, 100),
      mode: octal(100, 8),
      uid: octal(108, 8),
      gid: octal(116, 8),
      mtime: octal(136, 12),
      type: text(156, 1),
      uname: text(265, 32),
    });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

describe('model.tar.gz packing', () => {
  test('two copies differing in mtimes, modes, umask and creation order give the same pinned sha256', () => {
    const a = copyBundle('forward', new Date('2001-02-03T04:05:06Z'), 0o644, 0o022);
    const b = copyBundle('reverse', new Date(), 0o600, 0o077);
    const first = packModelTarball(a);
    const second = packModelTarball(b);
    expect(second.bytes.equals(first.bytes)).toBe(true);
    expect(first.sha256).toBe(BANKCHURN_TARBALL_SHA256);
    expect(packModelTarball(BANKCHURN).sha256).toBe(BANKCHURN_TARBALL_SHA256);
  });

  test('entries sit at the root with fixed owner, mode and mtime, in byte order', () => {
    const entries = tarEntries(packModelTarball(BANKCHURN).bytes);
    expect(entries.map((e) => e.name)).toEqual(['metadata.json', 'model.json']);
    for (const entry of entries) {
      expect(entry).toMatchObject({
        mode: TARBALL_FILE_MODE,
        uid: 0,
        gid: 0,
        mtime: 0,
        type: '0',
        uname: '',
      });
    }
  });

  test('subdirectories become directory entries, sorted by bytes; the gzip header carries no time or OS', () => {
    const dir = fresh('nested');
    mkdirSync(path.join(dir, 'b'));
    writeFileSync(path.join(dir, 'b', 'z.txt'), 'z');
    writeFileSync(path.join(dir, 'B.txt'), 'B');
    writeFileSync(path.join(dir, 'a.txt'), 'a');
    const { bytes, entries } = packModelTarball(dir);
    expect(entries).toEqual(['B.txt', 'a.txt', 'b/', 'b/z.txt']);
    expect(tarEntries(bytes).find((e) => e.name === 'b/')).toMatchObject({
      mode: TARBALL_DIR_MODE,
      type: '5',
    });
    expect(bytes.readUInt32LE(4)).toBe(0); // gzip MTIME
    expect(bytes[9]).toBe(255); // gzip OS: unknown
  });

  test('a symbolic link is refused, not followed', () => {
    const dir = fresh('link');
    writeFileSync(path.join(dir, 'metadata.json'), '{}');
    spawnSync('ln', ['-s', '/etc/passwd', path.join(dir, 'secret')]);
    expect(() => packModelTarball(dir)).toThrow(/secret: only regular files and directories can be packed/);
  });

  test('GNU tar unpacks it, and the server loads it as SageMaker would (/opt/ml/model is the bundle)', async () => {
    const { bytes } = packModelTarball(BANKCHURN);
    const work = fresh('unpack');
    const archive = path.join(work, 'model.tar.gz');
    writeFileSync(archive, bytes);
    const optMlModel = path.join(work, 'opt-ml-model');
    mkdirSync(optMlModel);
    const tar = spawnSync('tar', ['-xzf', archive, '-C', optMlModel], { encoding: 'utf8' });
    expect(tar.stderr).toBe('');
    expect(tar.status).toBe(0);
    expect(readdirSync(optMlModel).sort()).toEqual(['metadata.json', 'model.json']);

    const [unpacked] = await loadModels({ dir: optMlModel, modelName: 'bankchurn' });
    const [original] = await loadModels({ dir: BANKCHURN, modelName: 'bankchurn' });
    expect(unpacked!.name).toBe('bankchurn');
    expect(() => unpacked!.selfTest()).not.toThrow();
    const example = [unpacked!.metadata.example];
    expect(unpacked!.predict(example, { explain: true })).toEqual(
      original!.predict(example, { explain: true }),
    );
  });
});
