import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { readModelBundle } from '../../../src/config/model-bundle';
import {
  GcsModelArtifactBucket,
  type GcsModelArtifactBucketProps,
} from '../../../src/constructs/gcp/gcs-model-artifact-bucket';
import { VertexEndpointTtl } from '../../../src/constructs/gcp/vertex-endpoint-ttl';
import {
  VertexModelEndpoint,
  type VertexModelEndpointProps,
} from '../../../src/constructs/gcp/vertex-model-endpoint';
import { InvalidPropsError } from '../../../src/constructs/props-problems';

const ROOT = `${__dirname}/../../..`;
const bundle = readModelBundle(ROOT, 'model-server/models/bankchurn');

function build(props: Partial<VertexModelEndpointProps>, bucket: Partial<GcsModelArtifactBucketProps> = {}) {
  const stack = new TerraformStack(Testing.app(), 'test');
  const artifacts = new GcsModelArtifactBucket(stack, 'artifacts', {
    bucketName: 'my-models-bucket',
    location: 'us-central1',
    bundle,
    modelName: 'bankchurn',
    ...bucket,
  });
  return new VertexModelEndpoint(stack, 'vertex', {
    projectId: 'my-project-1',
    region: 'us-central1',
    endpointId: '1234567890',
    displayName: 'demo',
    imageUri: `r/model-server@sha256:${'a'.repeat(64)}`,
    artifacts,
    bundleHash: bundle.contentHash,
    modelName: 'bankchurn',
    ...props,
  });
}

function problemsOf(run: () => unknown, construct: string): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect((error as InvalidPropsError).construct).toBe(construct);
    return [...(error as InvalidPropsError).problems];
  }
  throw new Error('expected the props to be rejected');
}

describe('VertexModelEndpoint props validation', () => {
  test('the defaults are valid', () => {
    expect(() => build({})).not.toThrow();
  });

  test('every problem at once, naming the field and what is allowed', () => {
    expect(
      problemsOf(
        () =>
          build({
            endpointId: '0012',
            minReplicas: 3,
            maxReplicas: 2,
            cpuTargetPercent: 0,
            modelName: 'Bank Churn',
          }),
        'VertexModelEndpoint',
      ),
    ).toEqual([
      'endpointId: got "0012"; expected 1-10 digits without a leading zero',
      'minReplicas: got 3; expected <= maxReplicas (2)',
      'cpuTargetPercent: got 0; expected an integer from 1 to 100',
      'modelName: got "Bank Churn"; expected lowercase letters, digits, - and _',
    ]);
  });

  test('unresolved tokens are not judged', () => {
    const stack = new TerraformStack(Testing.app(), 'tokens');
    const endpointId = new TerraformVariable(stack, 'endpoint', { type: 'string' }).stringValue;
    const artifacts = new GcsModelArtifactBucket(stack, 'artifacts', {
      bucketName: new TerraformVariable(stack, 'bucket', { type: 'string' }).stringValue,
      location: 'us-central1',
      bundle,
      modelName: 'bankchurn',
    });
    expect(
      () =>
        new VertexModelEndpoint(stack, 'vertex', {
          projectId: 'p-123456',
          region: 'us-central1',
          endpointId,
          displayName: 'x',
          imageUri: 'i',
          artifacts,
          bundleHash: bundle.contentHash,
          modelName: 'bankchurn',
        }),
    ).not.toThrow();
  });

  test('GcsModelArtifactBucket: bucket name, an empty bundle, version retention', () => {
    expect(
      problemsOf(
        () =>
          build(
            {},
            { bucketName: 'My_Bucket!', bundle: { files: [], contentHash: 'x' }, noncurrentVersionDays: 0 },
          ),
        'GcsModelArtifactBucket',
      ),
    ).toEqual([
      'bundle: has no files; expected a model bundle',
      'bucketName: got "My_Bucket!"; expected 3-63 lowercase letters, digits, - and _',
      'noncurrentVersionDays: got 0; expected an integer >= 1',
    ]);
  });

  test('VertexEndpointTtl: hours and name prefix', () => {
    const stack = new TerraformStack(Testing.app(), 'ttl');
    expect(
      problemsOf(
        () =>
          new VertexEndpointTtl(stack, 'ttl', {
            projectId: 'p-123456',
            region: 'us-central1',
            endpointId: '1',
            deployedModelId: '2',
            ttlHours: 0.5,
            namePrefix: 'Vertex_TTL',
          }),
        'VertexEndpointTtl',
      ),
    ).toEqual([
      'ttlHours: got 0.5; expected an integer from 1 to 720',
      'namePrefix: got "Vertex_TTL"; expected 1-19 lowercase letters, digits and -',
    ]);
  });

  test('handles: endpoint path, deployed-model id read back from the deploy step', () => {
    const endpoint = build({});
    expect(endpoint.endpointPath).toBe('projects/my-project-1/locations/us-central1/endpoints/1234567890');
    expect(endpoint.ttl).toBeUndefined();
    expect(build({ ttlHours: 1 }).ttl).toBeDefined();
  });
});
