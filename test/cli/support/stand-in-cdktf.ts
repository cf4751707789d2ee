import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * A stand-in for the cdktf CLI: a script named `cdktf` in a folder to put first on PATH. It records each
 * call's arguments (one JSON array per line) and succeeds, except for the stack named by
 * `STANDIN_FAIL_STACK`, where it prints Terraform-style output with an error and exits 1.
 */
export function standInCdktf(): {
  dir: string;
  log: string;
  env: (extra?: Record<string, string>) => Record<string, string>;
  calls: () => string[][];
} {
  const dir = mkdtempSync(path.join(tmpdir(), 'stand-in-cdktf-'));
  const log = path.join(dir, 'calls.jsonl');
  const script = `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.appendFileSync(process.env.STANDIN_LOG, JSON.stringify(args) + '\\n');
if (args[1] !== undefined && args[1] === process.env.STANDIN_FAIL_STACK) {
  console.log('\\u001b[1m' + args[1] + '\\u001b[0m  Initializing the backend...');
  for (let i = 0; i < 60; i++) console.log(args[1] + '  aws_vpc.vpc: Still creating... [' + i + 's elapsed]');
  console.error('│ Error: creating EKS Cluster (demo): operation error EKS: CreateCluster, AccessDeniedException');
  console.error('│   with aws_eks_cluster.cluster,');
  console.error('╵');
  process.exit(1);
}
console.log(args[0] + ' ' + args[1] + ': ok');
`;
  const bin = path.join(dir, 'cdktf');
  writeFileSync(bin, script);
  chmodSync(bin, 0o755);
  return {
    dir,
    log,
    env: (extra = {}) => ({
      PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}`,
      STANDIN_LOG: log,
      ...extra,
    }),
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as string[])
        : [],
  };
}
