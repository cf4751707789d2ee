import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { parseConfig } from '../../src/config/load';
import { deployOrder, destroyOrder, STACK_DEPENDENCIES } from '../../src/deploy/stack-order';
import { buildApp } from '../../stacks/main';

describe('deploy order', () => {
  it('mirrors the dependencies the synthesized app declares', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'order-synth-'));
    const app = new App({ outdir });
    buildApp(parseConfig({}), app, {
      rootDir: path.join(__dirname, '../..'),
      imageSourceHash: '7'.repeat(64),
    });
    app.synth();
    const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
      stacks: Record<string, { dependencies: string[] }>;
    };
    const declared = Object.fromEntries(
      Object.entries(manifest.stacks).map(([name, s]) => [name, [...s.dependencies].sort()]),
    );
    const ours = Object.fromEntries(
      Object.entries(STACK_DEPENDENCIES).map(([name, d]) => [name, [...d].sort()]),
    );
    expect(ours).toEqual(declared);
  });

  it('puts every dependency before its dependents, and destroy in reverse without the shared images', () => {
    expect(deployOrder('gke')).toEqual(['gcp-image', 'gke-cluster', 'gke-serving']);
    expect(deployOrder('sagemaker')).toEqual(['aws-image', 'sagemaker-endpoint']);
    expect(destroyOrder('gke')).toEqual(['gke-serving', 'gke-cluster']);
    expect(destroyOrder('sagemaker', { withShared: true })).toEqual(['sagemaker-endpoint', 'aws-image']);
  });
});
