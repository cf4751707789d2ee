import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { outputsFileFlag, outputsFileOf, readStackOutputs, requireStringOutput } from '../../src/cli/outputs';
import { UsageError } from '../../src/cli/usage-error';

function project(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'outputs-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
  return root;
}

describe('stack outputs convention', () => {
  it('puts each stack in outputs/<stack>.json, the path given to cdktf deploy', () => {
    expect(outputsFileOf('sagemaker-endpoint')).toBe('outputs/sagemaker-endpoint.json');
    expect(outputsFileFlag('sagemaker-endpoint')).toBe('--outputs-file outputs/sagemaker-endpoint.json');
  });

  it('reads the outputs of the named stack from the file the cdktf CLI wrote', () => {
    const rootDir = project({
      'outputs/x.json': JSON.stringify({ 'aws-image': { image_uri: 'i' }, x: { endpoint_name: 'ep' } }),
    });
    expect(readStackOutputs('x', { rootDir })).toEqual({ endpoint_name: 'ep' });
  });

  it('reads another file when one is given', () => {
    const rootDir = project({ 'elsewhere.json': JSON.stringify({ x: { a: 1 } }) });
    expect(readStackOutputs('x', { rootDir, file: 'elsewhere.json' })).toEqual({ a: 1 });
  });

  it('says how to produce a missing file', () => {
    const rootDir = project({});
    expect(() => readStackOutputs('x', { rootDir })).toThrow(UsageError);
    expect(() => readStackOutputs('x', { rootDir })).toThrow(
      'no outputs file outputs/x.json: deploy with `npx cdktf deploy … x --outputs-file outputs/x.json`',
    );
  });

  it('names the stacks the file holds when the wanted one is absent', () => {
    const rootDir = project({ 'outputs/x.json': JSON.stringify({ 'aws-image': {} }) });
    expect(() => readStackOutputs('x', { rootDir })).toThrow(
      'has no outputs of stack x (stacks in it: aws-image)',
    );
  });

  it.each([
    ['an empty file object', '{}', 'none'],
    ['a list', '[]', 'none'],
    ['null', 'null', 'none'],
    ['two other stacks', '{"a":{},"b":{}}', 'a, b'],
  ])('lists the stacks in %s when the wanted one is absent', (_what, content, found) => {
    const rootDir = project({ 'outputs/x.json': content });
    expect(() => readStackOutputs('x', { rootDir })).toThrow(`(stacks in it: ${found})`);
  });

  it('refuses a stack entry that is not an object of outputs', () => {
    for (const entry of ['null', '[]', '"s"']) {
      const rootDir = project({ 'outputs/x.json': `{"x":${entry}}` });
      expect(() => readStackOutputs('x', { rootDir })).toThrow('has no outputs of stack x');
    }
  });

  it('reports a file that is not JSON', () => {
    const rootDir = project({ 'outputs/x.json': '{' });
    expect(() => readStackOutputs('x', { rootDir })).toThrow('outputs file outputs/x.json is not JSON');
  });

  it('requires string outputs by name and names the flag that replaces them', () => {
    expect(requireStringOutput({ a: 'v' }, 'a', 'x', '--a')).toBe('v');
    expect(() => requireStringOutput({ a: 1 }, 'a', 'x', '--a')).toThrow(
      'stack x has no output a in its outputs file; pass --a',
    );
    expect(() => requireStringOutput({}, 'b', 'x', '--b')).toThrow(UsageError);
    expect(() => requireStringOutput({ a: '' }, 'a', 'x', '--a')).toThrow('has no output a');
  });
});
