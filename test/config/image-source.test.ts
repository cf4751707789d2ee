import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { hashImageSources, IMAGE_SOURCE_PATHS, toImageSourceProps } from '../../src/config/image-source';
import { imageTagForHash } from '../../src/constructs/docker/image-reference';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-source-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const SOURCES = {
  'package.json': '{}',
  'package-lock.json': '{}',
  'model-server/Dockerfile': 'FROM node:22',
  'model-server/src/main.ts': 'console.log(1)',
  'model-server/models/bankchurn/model.json': '{"trees":[]}',
};

describe('hashImageSources', () => {
  test('hashes the files the Dockerfile copies, not where the checkout is or when files changed', () => {
    const a = tree(SOURCES);
    const b = tree(SOURCES);
    utimesSync(path.join(b, 'model-server/src/main.ts'), new Date(0), new Date(0));
    expect(hashImageSources(a)).toMatch(/^[a-f0-9]{64}$/);
    expect(hashImageSources(a)).toBe(hashImageSources(b));
  });

  test('a changed source or model changes the hash (and so the tag)', () => {
    const base = hashImageSources(tree(SOURCES));
    expect(hashImageSources(tree({ ...SOURCES, 'model-server/src/main.ts': 'console.log(2)' }))).not.toBe(
      base,
    );
    expect(hashImageSources(tree({ ...SOURCES, 'model-server/models/bankchurn/model.json': '{}' }))).not.toBe(
      base,
    );
    expect(hashImageSources(tree({ ...SOURCES, 'model-server/src/extra.ts': '' }))).not.toBe(base);
  });

  test('files outside the image do not change it: node_modules, tests, training, root sources', () => {
    const base = hashImageSources(tree(SOURCES));
    const noise = tree({
      ...SOURCES,
      'model-server/node_modules/x/index.js': 'x',
      'model-server/src/main.test.ts': 'test',
      'model-server/training/train.py': 'print()',
      'src/index.ts': 'export {}',
    });
    expect(hashImageSources(noise)).toBe(base);
  });

  test('the listed paths include the Dockerfile and the lockfile', () => {
    expect(IMAGE_SOURCE_PATHS).toEqual(
      expect.arrayContaining(['model-server/Dockerfile', 'package-lock.json']),
    );
  });

  test('the tag is derived from the hash', () => {
    expect(imageTagForHash('0123456789abcdef'.repeat(4))).toBe('src-0123456789abcdef');
  });

  test('build mode needs the build inputs; prebuilt passes the URI', () => {
    expect(() => toImageSourceProps('aws-image', { mode: 'build' }, undefined)).toThrow(/no build inputs/);
    expect(toImageSourceProps('aws-image', { mode: 'build' }, { sourceHash: 'h' })).toEqual({
      kind: 'build',
      sourceHash: 'h',
    });
    expect(toImageSourceProps('aws-image', { mode: 'prebuilt', uri: 'u' }, undefined)).toEqual({
      kind: 'prebuilt',
      uri: 'u',
    });
  });
});
