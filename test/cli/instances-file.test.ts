import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readInstances } from '../../src/cli/instances-file';

const root = path.resolve(__dirname, '../..');

function file(name: string, content: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'instances-'));
  writeFileSync(path.join(dir, name), content);
  return path.join(dir, name);
}

describe('readInstances', () => {
  it("defaults to the bundled model's example", () => {
    const payload = readInstances(undefined, 'bankchurn', root);
    expect(payload.kind).toBe('json');
    expect(payload.kind === 'json' && payload.instances).toEqual([
      expect.objectContaining({ Geography: 'France', CreditScore: 581 }),
    ]);
  });

  it('reads an array or an {instances} object from .json', () => {
    expect(readInstances(file('a.json', '[{"x":1}]'), 'm', root)).toEqual({
      kind: 'json',
      instances: [{ x: 1 }],
    });
    expect(readInstances(file('b.json', '{"instances":[[1,2]]}'), 'm', root)).toEqual({
      kind: 'json',
      instances: [[1, 2]],
    });
  });

  it('passes .csv through as text', () => {
    expect(readInstances(file('r.csv', '1,2\n3,4\n'), 'm', root)).toEqual({
      kind: 'csv',
      text: '1,2\n3,4\n',
    });
  });

  it.each([
    ['a missing file', '/nonexistent/rows.json', 'does not exist'],
    ['another extension', file('r.txt', 'x'), 'expected a .json or .csv file'],
    ['bad JSON', file('c.json', '{'), 'is not JSON'],
    ['an empty array', file('d.json', '[]'), 'non-empty array'],
    ['an empty CSV', file('e.csv', '\n'), 'has no CSV rows'],
  ])('refuses %s', (_what, name, message) => {
    expect(() => readInstances(name, 'm', root)).toThrow(message);
  });

  it('decides the format by the extension at the end of the name', () => {
    expect(readInstances(file('rows.csv.json', '[{"x":1}]'), 'm', root).kind).toBe('json');
    expect(() => readInstances(file('rows.json.txt', '[]'), 'm', root)).toThrow(
      'expected a .json or .csv file',
    );
  });

  it.each([
    ['null', 'null'],
    ['an object without instances', '{"rows":[{"x":1}]}'],
    ['instances that are not a list', '{"instances":{"x":1}}'],
  ])('refuses %s in .json', (_what, content) => {
    expect(() => readInstances(file('f.json', content), 'm', root)).toThrow('non-empty array of instances');
  });

  it('refuses a model name that is a path, even one that resolves to a bundle', () => {
    expect(() => readInstances(undefined, 'bankchurn/../bankchurn', root)).toThrow('no bundled model');
  });

  it('refuses a bundled model without an example', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bundle-'));
    mkdirSync(path.join(dir, 'model-server/models/plain'), { recursive: true });
    writeFileSync(path.join(dir, 'model-server/models/plain/metadata.json'), '{}');
    expect(() => readInstances(undefined, 'plain', dir)).toThrow(
      'model plain has no example instance: pass --file',
    );
  });

  it('refuses an unknown model without a file', () => {
    expect(() => readInstances(undefined, 'nope', root)).toThrow('no bundled model "nope"');
    expect(() => readInstances(undefined, '../etc', root)).toThrow('no bundled model');
  });
});
