import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CliIo } from '../../src/cli/io';
import { runCli } from '../../src/cli/main';
import { standInCdktf } from './support/stand-in-cdktf';

function capture(cwd: string, env: Record<string, string>): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd };
}

const timings = (root: string) =>
  readFileSync(path.join(root, 'results', 'deploy-timings.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('npm run deploy / destroy with a stand-in cdktf on PATH', () => {
  it('deploys eks as aws-image, eks-cluster, eks-serving with the unattended flags and the outputs files', async () => {
    const cdktf = standInCdktf();
    const root = mkdtempSync(path.join(tmpdir(), 'deploy-'));
    const io = capture(root, cdktf.env());
    await expect(runCli(['deploy', 'eks'], io)).resolves.toBe(0);
    expect(cdktf.calls()).toEqual(
      ['aws-image', 'eks-cluster', 'eks-serving'].map((stack) => [
        'deploy',
        stack,
        '--auto-approve',
        '--ignore-missing-stack-dependencies',
        '--outputs-file',
        `outputs/${stack}.json`,
      ]),
    );
    expect(existsSync(path.join(root, 'outputs'))).toBe(true);
    const text = io.out.join('');
    expect(text).toMatch(/^\[1\/3\] deploy aws-image …\n\[1\/3\] deploy aws-image done in \d+\.\d s\n/);
    expect(text).toMatch(/\[3\/3\] deploy eks-serving done in/);
    expect(timings(root)).toEqual(
      ['aws-image', 'eks-cluster', 'eks-serving'].map((stack) => ({
        date: expect.any(String),
        action: 'deploy',
        target: 'eks',
        stack,
        seconds: expect.any(Number),
        ok: true,
      })),
    );
  });

  it('destroys dependents first and keeps the shared image stack unless --with-images', async () => {
    const cdktf = standInCdktf();
    const root = mkdtempSync(path.join(tmpdir(), 'deploy-'));
    await expect(runCli(['destroy', 'eks'], capture(root, cdktf.env()))).resolves.toBe(0);
    await expect(runCli(['destroy', 'vertex', '--with-images'], capture(root, cdktf.env()))).resolves.toBe(0);
    expect(cdktf.calls()).toEqual([
      ['destroy', 'eks-serving', '--auto-approve', '--ignore-missing-stack-dependencies'],
      ['destroy', 'eks-cluster', '--auto-approve', '--ignore-missing-stack-dependencies'],
      ['destroy', 'vertex-endpoint', '--auto-approve', '--ignore-missing-stack-dependencies'],
      ['destroy', 'gcp-image', '--auto-approve', '--ignore-missing-stack-dependencies'],
    ]);
  });

  it('on failure: stops at the failing stack, prints Terraform error, records the failed timing, exits 1', async () => {
    const cdktf = standInCdktf();
    const root = mkdtempSync(path.join(tmpdir(), 'deploy-'));
    const io = capture(root, cdktf.env({ STANDIN_FAIL_STACK: 'eks-cluster' }));
    await expect(runCli(['deploy', 'eks'], io)).resolves.toBe(1);
    expect(cdktf.calls().map((c) => c[1])).toEqual(['aws-image', 'eks-cluster']);
    const err = io.err.join('');
    expect(err).toContain(
      'cdktf deploy eks-cluster exited with 1; its error:\n  │ Error: creating EKS Cluster (demo)',
    );
    expect(err).toContain('AccessDeniedException');
    expect(err).not.toContain('Still creating'); // the error block, not the whole log
    expect(err).not.toContain('\u001b[');
    expect(err).toContain('error: deploy of eks stopped at stack eks-cluster (done: aws-image)');
    expect(io.out.join('')).toContain('[2/3] deploy eks-cluster FAILED in');
    expect(timings(root).map((t) => [t.stack, t.ok])).toEqual([
      ['aws-image', true],
      ['eks-cluster', false],
    ]);
  });

  it('says so when cdktf is not on PATH', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'deploy-'));
    const io = capture(root, { PATH: root });
    await expect(runCli(['deploy', 'sagemaker'], io)).resolves.toBe(1);
    expect(io.err.join('')).toContain('cdktf not found on PATH');
  });

  it.each([
    [['deploy'], /name a target \(eks, gke, sagemaker, vertex\)/],
    [['deploy', 'aks'], /unknown target "aks"/],
    [['deploy', 'eks', 'gke'], /one target at a time/],
    [['deploy', 'eks', '--with-images'], /--with-images is a destroy option/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const io = capture(mkdtempSync(path.join(tmpdir(), 'deploy-')), {});
    await expect(runCli(args, io)).resolves.toBe(2);
    expect(io.err.join('')).toMatch(message);
  });
});
