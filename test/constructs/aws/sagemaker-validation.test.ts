import * as path from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { ecrRepositoryArnOf } from '../../../src/constructs/aws/ecr-repository-arn';
import { EndpointTimeToLive } from '../../../src/constructs/aws/endpoint-time-to-live';
import { S3ModelArtifactBucket } from '../../../src/constructs/aws/s3-model-artifact-bucket';
import {
  SagemakerModelEndpoint,
  type SagemakerModelEndpointProps,
} from '../../../src/constructs/aws/sagemaker-model-endpoint';
import { InvalidPropsError } from '../../../src/constructs/props-problems';

const BANKCHURN = path.join(__dirname, '../../../model-server/models/bankchurn');
const stack = () => new TerraformStack(Testing.app(), 'test');

const endpointProps: SagemakerModelEndpointProps = {
  endpointName: 'churn',
  image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/r@sha256:${'1'.repeat(64)}`,
  repositoryArn: 'arn:aws:ecr:us-east-1:123456789012:repository/r',
  modelDataUrl: 's3://b/k/model.tar.gz',
  modelDataObjectArn: 'arn:aws:s3:::b/k/model.tar.gz',
  modelName: 'bankchurn',
};

function problems(build: () => unknown): string[] {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPropsError);
    return [...(error as InvalidPropsError).problems];
  }
  throw new Error('expected the props to be rejected');
}

describe('SagemakerModelEndpoint props', () => {
  test('every problem at once, each naming its field', () => {
    expect(
      problems(
        () =>
          new SagemakerModelEndpoint(stack(), 'ep', {
            ...endpointProps,
            endpointName: 'bad_name',
            capacity: {
              kind: 'instances',
              instanceType: 'm5.large',
              minInstanceCount: 3,
              maxInstanceCount: 2,
            },
            logRetentionInDays: 10,
            blueGreenBakeSeconds: 7200,
          }),
      ),
    ).toEqual([
      'endpointName: got "bad_name"; expected 1-63 letters, digits and -, starting and ending with a letter or digit',
      'capacity.instanceType: got "m5.large"; expected a SageMaker instance type such as ml.t2.medium',
      'capacity.minInstanceCount: got 3; expected <= maxInstanceCount (2)',
      expect.stringMatching(
        /^logRetentionInDays: got 10; expected a CloudWatch Logs retention \(allowed: 1, 3, /,
      ),
      'blueGreenBakeSeconds: got 7200; expected an integer from 0 to 3600',
    ]);
  });

  test('serverless sizes', () => {
    expect(
      problems(
        () =>
          new SagemakerModelEndpoint(stack(), 'ep', {
            ...endpointProps,
            capacity: { kind: 'serverless', memorySizeInMb: 1000, maxConcurrency: 0 },
          }),
      ),
    ).toEqual([
      'capacity.memorySizeInMb: got 1000; expected one of 1024, 2048, 3072, 4096, 5120, 6144',
      'capacity.maxConcurrency: got 0; expected an integer from 1 to 200',
    ]);
  });

  test('initial count outside min..max; a latency threshold that is not positive', () => {
    expect(
      problems(
        () =>
          new SagemakerModelEndpoint(stack(), 'ep', {
            ...endpointProps,
            capacity: { kind: 'instances', initialInstanceCount: 3 },
            modelLatencyP99ThresholdMicroseconds: 0,
          }),
      ),
    ).toEqual([
      'capacity.initialInstanceCount: got 3; expected between minInstanceCount (1) and maxInstanceCount (2)',
      'modelLatencyP99ThresholdMicroseconds: got 0; expected a number > 0',
    ]);
  });
});

describe('EndpointTimeToLive props', () => {
  test('hours must be a whole number from 1 to 8760', () => {
    expect(
      problems(
        () =>
          new EndpointTimeToLive(stack(), 'ttl', {
            endpointName: 'churn',
            endpointArn: 'arn',
            ttlHours: 0.5,
          }),
      ),
    ).toEqual(['ttlHours: got 0.5; expected an integer from 1 to 8760']);
  });
});

describe('S3ModelArtifactBucket props', () => {
  test('a bucket prefix S3 would refuse', () => {
    expect(
      problems(
        () =>
          new S3ModelArtifactBucket(stack(), 'artifact', { bundleDir: BANKCHURN, bucketPrefix: 'Models_' }),
      ),
    ).toEqual(['bucketPrefix: got "Models_"; expected 1-37 lowercase letters, digits, . and -']);
  });
});

describe('ecrRepositoryArnOf', () => {
  const digest = `@sha256:${'a'.repeat(64)}`;
  test('the repository of an ECR image, in its partition', () => {
    expect(
      ecrRepositoryArnOf(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/model-server${digest}`),
    ).toBe('arn:aws:ecr:eu-west-1:123456789012:repository/team/model-server');
    expect(ecrRepositoryArnOf(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/ms:v1${digest}`)).toBe(
      'arn:aws:ecr:eu-west-1:123456789012:repository/ms',
    );
    expect(ecrRepositoryArnOf(`123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/ms${digest}`)).toBe(
      'arn:aws-cn:ecr:cn-north-1:123456789012:repository/ms',
    );
  });
  test('undefined for any other registry', () => {
    expect(ecrRepositoryArnOf(`ghcr.io/acme/ms${digest}`)).toBeUndefined();
  });
});
