import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { SagemakerEndpointConfiguration } from '@cdktf/provider-aws/lib/sagemaker-endpoint-configuration';
import { App, Testing } from 'cdktf';
import { ProjectStack } from '../../src/common/project-stack';
import { parseConfig } from '../../src/config/load';
import { checkApp, evaluateApp, SecurityGateError } from '../../src/security/check-app';
import {
  declareEncryptionKey,
  ENCRYPTION_KEY_METADATA,
  exemptFromSecurityRule,
} from '../../src/security/exemptions';
import { evaluateStack } from '../../src/security/gate';
import { buildApp } from '../../stacks/main';

const ROOT = path.join(__dirname, '../..');

/** A project stack (gated) with an AWS provider carrying the stack's tags. */
function awsStack(app: App, id = 'storage') {
  const stack = new ProjectStack(app, id);
  new AwsProvider(stack, 'aws', { region: 'us-east-1', defaultTags: [{ tags: { ...stack.tags } }] });
  return stack;
}

const newApp = () => new App({ outdir: mkdtempSync(path.join(tmpdir(), 'gate-')) });

describe('the gate in synth (as the CLI runs it)', () => {
  test('app.synth() fails on a violation with a message naming the stack, resource, rule and fix', () => {
    const app = newApp();
    new S3Bucket(awsStack(app), 'artifacts', { bucket: 'models' });
    expect(() => app.synth()).toThrow(
      /security gate: storage: aws_s3_bucket\.artifacts \(storage\/artifacts\) breaks storage\.s3-no-public-access: public access is not blocked on the bucket\. Fix: add an aws_s3_bucket_public_access_block/,
    );
  });

  test('Testing.synth does not run validations unless asked, so tests of the gate use app.synth or runValidations', () => {
    const app = Testing.app();
    const stack = awsStack(app);
    new S3Bucket(stack, 'artifacts', { bucket: 'models' });
    expect(() => Testing.synth(stack)).not.toThrow();
    expect(() => Testing.synth(stack, true)).toThrow(/storage\.s3-encryption/);
  });

  test('checkApp (what stacks/main.ts runs first) throws SecurityGateError listing every violation', () => {
    const app = newApp();
    new S3Bucket(awsStack(app), 'artifacts', { bucket: 'models' });
    try {
      checkApp(app);
      throw new Error('expected a SecurityGateError');
    } catch (error) {
      expect(error).toBeInstanceOf(SecurityGateError);
      const lines = (error as SecurityGateError).lines;
      expect(lines.map((l) => /breaks (\S+):/.exec(l)?.[1])).toEqual([
        'storage.s3-no-public-access',
        'storage.s3-encryption',
        'storage.s3-tls-only',
      ]);
    }
  });

  test('an exemption with a reason lets one rule through on one resource and is listed; others still fail', () => {
    const app = newApp();
    const stack = awsStack(app);
    const bucket = new S3Bucket(stack, 'artifacts', { bucket: 'models' });
    exemptFromSecurityRule(
      bucket,
      'storage.s3-tls-only',
      'read only by SageMaker over its own TLS endpoint, for this test',
    );
    const report = evaluateStack(stack);
    expect(report.exemptions.map((e) => [e.resource, e.rule, e.reason])).toEqual([
      [
        'aws_s3_bucket.artifacts',
        'storage.s3-tls-only',
        'read only by SageMaker over its own TLS endpoint, for this test',
      ],
    ]);
    expect(report.errors.map((e) => e.rule)).toEqual([
      'storage.s3-no-public-access',
      'storage.s3-encryption',
    ]);
  });

  test('an exemption that matches no violation fails synth (it must not outlive its cause)', () => {
    const app = newApp();
    const stack = awsStack(app);
    const bucket = new S3Bucket(stack, 'artifacts', { bucket: 'models' });
    for (const rule of ['storage.s3-no-public-access', 'storage.s3-encryption', 'storage.s3-tls-only']) {
      exemptFromSecurityRule(bucket, rule, 'exempted for the purpose of this test only');
    }
    exemptFromSecurityRule(
      bucket,
      'storage.gcs-no-public-access',
      'not a GCS bucket: this exemption is stale',
    );
    expect(() => app.synth()).toThrow(
      /the exemption of storage\/artifacts from storage\.gcs-no-public-access matches no violation: remove it/,
    );
  });

  test('an exemption needs a known rule and a reason', () => {
    const stack = awsStack(newApp());
    expect(() => exemptFromSecurityRule(stack, 'storage.nope', 'a long enough reason here')).toThrow(
      /unknown rule 'storage.nope' \(allowed: storage.s3-no-public-access, /,
    );
    expect(() => exemptFromSecurityRule(stack, 'storage.s3-tls-only', 'because')).toThrow(
      /at least 20 characters/,
    );
  });

  test('the tags rule reads the bindings: a taggable resource under a provider without default_tags is caught', () => {
    const app = newApp();
    const stack = new ProjectStack(app, 'untagged');
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    new SagemakerEndpointConfiguration(stack, 'ec', {
      productionVariants: [
        { variantName: 'v', modelName: 'm', initialInstanceCount: 1, instanceType: 'ml.t2.medium' },
      ],
    });
    expect(evaluateStack(stack).errors.map((e) => `${e.resource} ${e.rule}`)).toEqual([
      'aws_sagemaker_endpoint_configuration.ec tags.project-service-environment',
    ]);
  });

  test('declareEncryptionKey makes the endpoint config use exactly that key', () => {
    const app = newApp();
    const stack = awsStack(app, 'sagemaker');
    const key = 'arn:aws:kms:us-east-1:123456789012:key/configured';
    declareEncryptionKey(stack, 'aws', key);
    new SagemakerEndpointConfiguration(stack, 'ec', {
      productionVariants: [
        { variantName: 'v', modelName: 'm', initialInstanceCount: 1, instanceType: 'ml.t2.medium' },
      ],
    });
    expect(evaluateStack(stack).errors.map((e) => e.message)).toEqual([
      `kms_key_arn is not set while the stack has a configured key (${key})`,
    ]);
  });
});

describe('the default stacks', () => {
  test('pass the gate with no exemption and no warning, the managed endpoint stacks included', () => {
    const { app } = buildApp(parseConfig({}), newApp(), { imageSourceHash: '9'.repeat(64) });
    const reports = evaluateApp(app);
    expect(reports.map((r) => r.stack).sort()).toEqual([
      'aws-image',
      'eks-cluster',
      'eks-serving',
      'gcp-image',
      'gke-cluster',
      'gke-serving',
      'sagemaker-endpoint',
      'vertex-endpoint',
    ]);
    expect(reports.flatMap((r) => [...r.errors, ...r.staleExemptions, ...r.warnings])).toEqual([]);
    expect(reports.flatMap((r) => r.exemptions)).toEqual([]);
  });

  test('with customer keys configured, the managed endpoints use them and pass the gate', () => {
    const awsKey = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
    const gcpKey = 'projects/acme-prod-1/locations/us-central1/keyRings/ring/cryptoKeys/key';
    const config = parseConfig({ sagemaker: { kmsKeyArn: awsKey }, vertex: { kmsKeyName: gcpKey } });
    const { stacks } = buildApp(config, newApp(), { imageSourceHash: '9'.repeat(64) });
    for (const stack of [stacks.sagemakerEndpoint!, stacks.vertexEndpoint]) {
      const report = evaluateStack(stack);
      expect(report.errors).toEqual([]);
    }
    // The key is declared, so an endpoint that dropped it would be caught.
    const sagemakerKeys = stacks.sagemakerEndpoint!.node.metadata.filter(
      (m) => m.type === ENCRYPTION_KEY_METADATA,
    );
    const vertexKeys = stacks.vertexEndpoint.node.metadata.filter((m) => m.type === ENCRYPTION_KEY_METADATA);
    expect(sagemakerKeys.map((m) => m.data)).toEqual([{ cloud: 'aws', key: awsKey }]);
    expect(vertexKeys.map((m) => m.data)).toEqual([{ cloud: 'gcp', key: gcpKey }]);
  });
});

describe('stacks/main.ts (cdktf synth)', () => {
  const tsx = path.join(ROOT, 'node_modules/.bin/tsx');
  const run = (config: object) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gate-main-'));
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(config));
    const outdir = path.join(dir, 'out');
    const result = spawnSync(tsx, ['stacks/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, CDKTF_OUTDIR: outdir, MODEL_SERVING_CONFIG: file },
      encoding: 'utf8',
    });
    return { ...result, outdir };
  };
  const filesUnder = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? filesUnder(full) : [full];
    });

  test('a public load balancer open to any address fails synth: exit 1, the rule and fix, no stack trace', () => {
    const result = run({ services: { bankchurn: { exposure: 'publicLoadBalancer' } } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /eks-serving: kubernetes_service_v1\.bankchurn_service_\w+ \(eks-serving\/bankchurn\/service\) breaks endpoints\.public-lb-source-ranges: public load balancer admits any address\. Fix: list the client networks/,
    );
    expect(result.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  test('a load-balanced service synthesizes with its keys only as Terraform expressions, and lists exemptions and warnings', () => {
    const result = run({
      services: { bankchurn: { exposure: 'publicLoadBalancer', allowedIngressCidrs: ['203.0.113.0/24'] } },
    });
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain('is exempt from');
    expect(result.stdout).toMatch(
      /security gate: warning: eks-serving: kubernetes_service_v1\.bankchurn_service_\w+ endpoints\.public-lb-tls: plain HTTP on the internet: traffic and the API key travel in clear/,
    );
    const stack = JSON.parse(
      readFileSync(path.join(result.outdir, 'stacks/eks-serving/cdk.tf.json'), 'utf8'),
    );
    const [secret] = Object.values(stack.resource.kubernetes_secret_v1) as { data: Record<string, string> }[];
    expect(secret!.data['api-keys']).toMatch(
      /^\$\{join\(",", \[random_password\.bankchurn_api-keys_key-a_\w+\.result, random_password\.bankchurn_api-keys_key-b_\w+\.result\]\)\}$/,
    );
    expect(stack.output.api_keys.sensitive).toBe(true);
    // Nothing in cdktf.out looks like a generated key (40 letters and digits) outside an expression.
    for (const file of filesUnder(result.outdir)) {
      expect([file, readFileSync(file, 'utf8').match(/(?<![\w$.{-])[A-Za-z0-9]{40}(?![\w-])/g)]).toEqual([
        file,
        null,
      ]);
    }
  });
});
