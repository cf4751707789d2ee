import { ConfigError } from '../../src/config/errors';
import { parseConfig } from '../../src/config/load';
import { readModelBundle } from '../../src/config/model-bundle';
import { vertexBucketName, vertexEndpointId } from '../../src/constructs/gcp/vertex-names';
import { problemsOf } from './helpers/problems';

const ROOT = `${__dirname}/../..`;

describe('vertex config section', () => {
  test('defaults: bankchurn on one n1-standard-2 (up to 2), CPU 70%, shared endpoint, no TTL, no CMEK', () => {
    const { vertex } = parseConfig({});
    expect(vertex).toEqual({
      model: 'bankchurn',
      modelDir: 'model-server/models/bankchurn',
      machineType: 'n1-standard-2',
      minReplicas: 1,
      maxReplicas: 2,
      cpuTargetPercent: 70,
      dedicatedEndpoint: false,
      revision: 1,
      deployTimeoutMinutes: 60,
      endpointId: vertexEndpointId('model-serving-demo', 'us-central1', 'model-serving', 'demo'),
      bucketName: vertexBucketName('model-serving-demo', 'model-serving', 'demo'),
    });
  });

  test('derived names are deterministic and fit the services: endpoint id <= 10 digits, bucket <= 63', () => {
    const longest = vertexBucketName('a'.repeat(30), 'p'.repeat(20), 'e'.repeat(12));
    expect(longest.length).toBeLessThanOrEqual(63);
    for (const env of ['demo', 'prod', 'x1']) {
      const id = vertexEndpointId('my-project-1', 'europe-west4', 'model-serving', env);
      expect(id).toMatch(/^[1-9]\d{9}$/);
      expect(vertexEndpointId('my-project-1', 'europe-west4', 'model-serving', env)).toBe(id);
    }
    expect(vertexEndpointId('p-123456', 'us-central1', 'a', 'b')).not.toBe(
      vertexEndpointId('p-123457', 'us-central1', 'a', 'b'),
    );
  });

  test('a model that is not bundled needs modelDir', () => {
    expect(problemsOf({ vertex: { model: 'mymodel' } })).toEqual([
      'vertex.model: got "mymodel"; expected a bundled model, or set modelDir (allowed: bankchurn, chicagotaxi, nlpinsight)',
    ]);
    expect(parseConfig({ vertex: { model: 'mymodel', modelDir: 'bundles/mine' } }).vertex.modelDir).toBe(
      'bundles/mine',
    );
  });

  test('modelDir must be relative to the project root', () => {
    expect(problemsOf({ vertex: { modelDir: '/home/me/model' } })).toEqual([
      'vertex.modelDir: got "/home/me/model"; expected a path relative to the project root (an absolute path differs between machines)',
    ]);
  });

  test('replicas out of order, CPU target out of range, TTL too long', () => {
    expect(
      problemsOf({ vertex: { minReplicas: 3, maxReplicas: 2, cpuTargetPercent: 120, ttlHours: 1000 } }),
    ).toEqual([
      'vertex.cpuTargetPercent: got 120; expected an integer from 1 to 100',
      'vertex.ttlHours: got 1000; expected an integer from 1 to 720',
      'vertex.minReplicas: got 3; expected <= maxReplicas (2)',
    ]);
    expect(problemsOf({ vertex: { minReplicas: 0 } })).toEqual([
      'vertex.minReplicas: got 0; expected an integer >= 1',
    ]);
  });

  test('endpoint id: numeric, <= 10 digits, no leading zero', () => {
    for (const bad of ['0123', '12345678901', 'abc']) {
      expect(problemsOf({ vertex: { endpointId: bad } })).toEqual([
        `vertex.endpointId: got "${bad}"; expected a numeric endpoint id: 1-10 digits, no leading zero`,
      ]);
    }
  });

  test('KMS key name, machine type, dedicatedEndpoint type, unknown keys', () => {
    expect(problemsOf({ vertex: { kmsKeyName: 'my-key' } })).toEqual([
      'vertex.kmsKeyName: got "my-key"; expected a Cloud KMS key name: projects/<p>/locations/<region>/keyRings/<ring>/cryptoKeys/<key>',
    ]);
    expect(problemsOf({ vertex: { machineType: 'N1 Standard' } })).toEqual([
      'vertex.machineType: got "N1 Standard"; expected a Compute Engine machine type such as n1-standard-2',
    ]);
    expect(problemsOf({ vertex: { dedicatedEndpoint: 'yes' } })).toEqual([
      'vertex.dedicatedEndpoint: got "yes"; expected true or false',
    ]);
    expect(problemsOf({ vertex: { ttl: 3 } })[0]).toMatch(
      /^vertex\.ttl: got unknown key "ttl"; expected no such key \(allowed: model, modelDir, /,
    );
  });
});

describe('model bundle read at synth', () => {
  test('files sorted with relative sources, base64 MD5 and one content hash', () => {
    const bundle = readModelBundle(ROOT, 'model-server/models/bankchurn');
    expect(bundle.files.map((f) => [f.name, f.source])).toEqual([
      ['metadata.json', '../../../model-server/models/bankchurn/metadata.json'],
      ['model.json', '../../../model-server/models/bankchurn/model.json'],
    ]);
    for (const file of bundle.files) expect(file.md5Base64).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(bundle.contentHash).toMatch(/^[a-f0-9]{64}$/);
    expect(readModelBundle(ROOT, 'model-server/models/bankchurn/').contentHash).toBe(bundle.contentHash);
    expect(readModelBundle(ROOT, 'model-server/models/chicagotaxi').contentHash).not.toBe(bundle.contentHash);
  });

  test('a directory that is missing or not a bundle is a config error naming the field', () => {
    expect(() => readModelBundle(ROOT, 'no/such/dir')).toThrow(
      new ConfigError('model bundle', [
        'vertex.modelDir: got "no/such/dir"; expected a model bundle directory (no such directory)',
      ]),
    );
    expect(() => readModelBundle(ROOT, 'src')).toThrow(
      'vertex.modelDir: got "src"; expected a model bundle directory (it holds neither metadata.json nor model.json)',
    );
  });
});
