import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../src/config/errors';
import { loadConfig } from '../../src/config/load';
import { BUNDLED_MODELS } from '../../src/config/schema';

function projectDir(files: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'config-load-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

test('the bundled model names are the bundles in model-server/models', () => {
  const bundles = readdirSync(path.join(__dirname, '../../model-server/models'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  expect(bundles).toEqual([...BUNDLED_MODELS]);
});

describe('loadConfig', () => {
  test('no file: the full default demo set', () => {
    const config = loadConfig({ env: {}, rootDir: projectDir() });
    expect(config.project).toBe('model-serving');
    expect(config.environment).toBe('demo');
    expect(config.stateBackend).toEqual({ kind: 'local' });
    expect(config.aws.region).toBe('us-east-1');
    expect(config.gcp).toEqual({ projectId: 'model-serving-demo', region: 'us-central1' });
    expect(config.eks.clusterName).toBe('model-serving-demo');
    expect(config.gke).toMatchObject({
      clusterName: 'model-serving-demo',
      location: 'us-central1',
      deletionProtection: false,
    });
    expect(config.image.aws).toMatchObject({
      source: { mode: 'build' },
      repositoryName: 'model-serving-demo',
      encryption: 'AES256',
    });
    expect(config.image.gcp).toMatchObject({ source: { mode: 'build' }, repositoryId: 'model-serving-demo' });
    expect(Object.keys(config.services)).toEqual(['bankchurn', 'chicagotaxi', 'nlpinsight']);
    for (const [name, service] of Object.entries(config.services)) {
      expect(service).toMatchObject({
        model: name,
        replicas: 2,
        hpa: { minReplicas: 2, maxReplicas: 6, cpuTargetPercent: 70, scaleDownStabilizationSeconds: 300 },
        resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
        exposure: 'internal',
      });
    }
  });

  test('reads model-serving.config.json from the project root', () => {
    const dir = projectDir({ 'model-serving.config.json': { environment: 'staging' } });
    expect(loadConfig({ env: {}, rootDir: dir }).environment).toBe('staging');
  });

  test('MODEL_SERVING_CONFIG names another file (relative to the root); an explicit file wins', () => {
    const dir = projectDir({
      'model-serving.config.json': { environment: 'default' },
      'conf/prod.json': { environment: 'prod' },
      'conf/explicit.json': { environment: 'explicit' },
    });
    expect(loadConfig({ env: { MODEL_SERVING_CONFIG: 'conf/prod.json' }, rootDir: dir }).environment).toBe(
      'prod',
    );
    expect(
      loadConfig({
        file: 'conf/explicit.json',
        env: { MODEL_SERVING_CONFIG: 'conf/prod.json' },
        rootDir: dir,
      }).environment,
    ).toBe('explicit');
  });

  test('a services map replaces the default set; model defaults to the name, replicas to hpa.minReplicas', () => {
    const dir = projectDir({
      'model-serving.config.json': {
        services: {
          churn: { model: 'bankchurn', hpa: { minReplicas: 3, maxReplicas: 8, cpuTargetPercent: 60 } },
          custom: { model: 'my-model', modelDir: '/opt/models' },
        },
      },
    });
    const { services } = loadConfig({ env: {}, rootDir: dir });
    expect(Object.keys(services)).toEqual(['churn', 'custom']);
    expect(services.churn).toMatchObject({ model: 'bankchurn', replicas: 3, hpa: { cpuTargetPercent: 60 } });
    expect(services.custom).toMatchObject({ model: 'my-model', modelDir: '/opt/models' });
  });

  test('environment overrides apply after the file; image URIs switch to prebuilt; empty values are ignored', () => {
    const uri = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/ms@sha256:${'a'.repeat(64)}`;
    const dir = projectDir({
      'model-serving.config.json': { aws: { region: 'us-west-2' }, environment: 'dev' },
    });
    const config = loadConfig({
      rootDir: dir,
      env: {
        MS_AWS_REGION: 'eu-west-1',
        MS_GCP_PROJECT: 'other-project',
        MS_GCP_REGION: 'europe-west4',
        MS_AWS_IMAGE_URI: uri,
        MS_ENVIRONMENT: '',
        MS_STATE_BACKEND: 's3',
        MS_STATE_BUCKET: 'tf-state-bucket',
      },
    });
    expect(config.aws.region).toBe('eu-west-1');
    expect(config.gcp).toEqual({ projectId: 'other-project', region: 'europe-west4' });
    expect(config.gke.location).toBe('europe-west4');
    expect(config.environment).toBe('dev');
    expect(config.image.aws.source).toEqual({ mode: 'prebuilt', uri });
    expect(config.image.gcp.source).toEqual({ mode: 'build' });
    // The S3 state bucket's region defaults to the AWS region.
    expect(config.stateBackend).toEqual({ kind: 's3', bucket: 'tf-state-bucket', region: 'eu-west-1' });
  });

  test('a missing file, a non-JSON file and a YAML file are ConfigErrors naming the file as given', () => {
    const dir = projectDir({ 'bad.json': '{ "project": ', 'conf.yaml': 'project: x' });
    const missing = errorOf(() => loadConfig({ env: { MODEL_SERVING_CONFIG: 'nope.json' }, rootDir: dir }));
    expect(missing.problems).toEqual(['MODEL_SERVING_CONFIG: got "nope.json"; expected a readable file']);
    expect(missing.message).not.toContain(dir);
    const notJson = errorOf(() => loadConfig({ file: 'bad.json', env: {}, rootDir: dir }));
    expect(notJson.message).toMatch(
      /^Invalid configuration \(bad\.json\):\n {2}- \(file\): got text that is not JSON/,
    );
    const yaml = errorOf(() => loadConfig({ file: 'conf.yaml', env: {}, rootDir: dir }));
    expect(yaml.problems).toEqual([
      'config file: got "conf.yaml"; expected a .json file (YAML is not supported)',
    ]);
  });

  test('validation errors name the file as given, not an absolute path', () => {
    const dir = projectDir({ 'model-serving.config.json': { project: 'X' } });
    const error = errorOf(() => loadConfig({ env: {}, rootDir: dir }));
    expect(error.message.split('\n')[0]).toBe('Invalid configuration (model-serving.config.json):');
    expect(error.message).not.toContain(dir);
  });
});
