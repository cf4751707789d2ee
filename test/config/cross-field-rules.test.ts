import { parseConfig } from '../../src/config/load';
import { problemsOf } from './helpers/problems';

/**
 * The rules that compare two or more fields of the configuration: each at its boundary (equal values pass),
 * just past it, and with one of the fields invalid on its own (the rule then keeps quiet: the field's own
 * problem is the one to fix).
 */

const accepts = (input: unknown): void => {
  expect(() => parseConfig(input, { source: 'test.json' })).not.toThrow();
};

describe('state backend', () => {
  test('each kind takes its own keys', () => {
    accepts({ stateBackend: { kind: 's3', bucket: 'state-bucket', region: 'eu-west-1', keyPrefix: 'ms' } });
    accepts({ stateBackend: { kind: 'gcs', bucket: 'state-bucket', prefix: 'ms' } });
    accepts({ stateBackend: { kind: 'local', directory: 'state' } });
  });

  test('a relative directory passes; an absolute one, POSIX or Windows, does not', () => {
    accepts({ stateBackend: { directory: 'state/c:/old' } });
    for (const directory of ['C:\\state', 'c:/state']) {
      expect(problemsOf({ stateBackend: { directory } })).toEqual([
        `stateBackend.directory: got ${JSON.stringify(directory)}; expected a relative path (an absolute path differs between machines and breaks snapshots)`,
      ]);
    }
  });
});

describe('EKS node group sizes', () => {
  test('min <= desired <= max, equal sizes included', () => {
    accepts({ eks: { nodeMinSize: 2, nodeDesiredSize: 2, nodeMaxSize: 2 } });
  });

  test('a desired size above the max, naming the default it got', () => {
    expect(problemsOf({ eks: { nodeMaxSize: 3 } })).toEqual([
      'eks.nodeDesiredSize: got 4 (default); expected nodeMinSize (1) <= nodeDesiredSize <= nodeMaxSize (3)',
    ]);
  });

  test('an invalid size alone is the only problem', () => {
    expect(problemsOf({ eks: { nodeMinSize: -1, nodeDesiredSize: 5, nodeMaxSize: 3 } })).toEqual([
      'eks.nodeMinSize: got -1; expected an integer >= 0',
    ]);
  });
});

describe('GKE nodes per zone', () => {
  test('min <= max, equal included', () => {
    accepts({ gke: { nodeMinCountPerZone: 2, nodeMaxCountPerZone: 2 } });
  });

  test('a location equal to the region (a regional cluster) passes', () => {
    accepts({ gcp: { region: 'europe-west4' }, gke: { location: 'europe-west4' } });
  });

  test('min above max', () => {
    expect(problemsOf({ gke: { nodeMinCountPerZone: 3, nodeMaxCountPerZone: 2 } })).toEqual([
      'gke.nodeMinCountPerZone: got 3; expected <= nodeMaxCountPerZone (2)',
    ]);
  });

  test('an invalid max alone is the only problem', () => {
    expect(problemsOf({ gke: { nodeMinCountPerZone: 3, nodeMaxCountPerZone: 0 } })).toEqual([
      'gke.nodeMaxCountPerZone: got 0; expected an integer >= 1',
    ]);
  });
});

describe('images', () => {
  test('an unpinned uri in build mode is refused for its mode, not for its pinning', () => {
    expect(problemsOf({ image: { aws: { uri: 'r.example.com/x:latest' } } })).toEqual([
      'image.aws.uri: got "r.example.com/x:latest"; expected no uri for mode build (set mode: prebuilt to use it)',
    ]);
  });

  test('a KMS key only with KMS encryption', () => {
    const kmsKeyArn = 'arn:aws:kms:us-east-1:123456789012:key/abc';
    accepts({ image: { aws: { encryption: 'KMS', kmsKeyArn } } });
    expect(problemsOf({ image: { aws: { kmsKeyArn } } })).toEqual([
      `image.aws.kmsKeyArn: got "${kmsKeyArn}"; expected no kmsKeyArn unless encryption is KMS`,
    ]);
  });
});

describe('services', () => {
  test('HPA min equal to max passes; a max below the default min names that default', () => {
    accepts({ services: { bankchurn: { replicas: 2, hpa: { minReplicas: 2, maxReplicas: 2 } } } });
    expect(problemsOf({ services: { bankchurn: { hpa: { maxReplicas: 1 } } } })).toEqual([
      'services.bankchurn.hpa.minReplicas: got 2 (default); expected <= maxReplicas (1)',
    ]);
  });

  test('requests equal to limits pass; above them, naming the default request', () => {
    accepts({ services: { bankchurn: { resources: { requests: { cpu: '1', memory: '512Mi' } } } } });
    expect(problemsOf({ services: { bankchurn: { resources: { limits: { cpu: '100m' } } } } })).toEqual([
      'services.bankchurn.resources.requests.cpu: got "250m" (default); expected <= limits.cpu (100m)',
    ]);
  });

  test('a certificate with a load balancer passes', () => {
    accepts({
      services: {
        bankchurn: {
          exposure: 'publicLoadBalancer',
          awsCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0123abcd',
        },
      },
    });
  });

  test('replicas at either HPA bound pass; past one they do not', () => {
    accepts({ services: { bankchurn: { replicas: 2, hpa: { minReplicas: 2, maxReplicas: 4 } } } });
    accepts({ services: { bankchurn: { replicas: 4, hpa: { minReplicas: 2, maxReplicas: 4 } } } });
    expect(
      problemsOf({ services: { bankchurn: { replicas: 1, hpa: { minReplicas: 2, maxReplicas: 4 } } } }),
    ).toEqual([
      'services.bankchurn.replicas: got 1; expected between hpa.minReplicas (2) and hpa.maxReplicas (4)',
    ]);
    expect(
      problemsOf({ services: { bankchurn: { replicas: 3, hpa: { minReplicas: 2, maxReplicas: 2 } } } }),
    ).toEqual([
      'services.bankchurn.replicas: got 3; expected between hpa.minReplicas (2) and hpa.maxReplicas (2)',
    ]);
  });

  test('replicas are not compared with HPA bounds that are invalid themselves', () => {
    expect(
      problemsOf({ services: { bankchurn: { replicas: 5, hpa: { minReplicas: 0, maxReplicas: 3 } } } }),
    ).toEqual(['services.bankchurn.hpa.minReplicas: got 0; expected an integer >= 1']);
    expect(
      problemsOf({ services: { bankchurn: { replicas: 4, hpa: { minReplicas: 5, maxReplicas: 3 } } } }),
    ).toEqual(['services.bankchurn.hpa.minReplicas: got 5; expected <= maxReplicas (3)']);
  });
});

describe('SageMaker instance counts', () => {
  test('min equal to max, and an initial count at either bound, pass', () => {
    accepts({ sagemaker: { minInstanceCount: 2, maxInstanceCount: 2 } });
    accepts({ sagemaker: { initialInstanceCount: 2, minInstanceCount: 2, maxInstanceCount: 3 } });
    accepts({ sagemaker: { initialInstanceCount: 3, minInstanceCount: 2, maxInstanceCount: 3 } });
  });

  test('an initial count outside the bounds', () => {
    for (const initialInstanceCount of [1, 4]) {
      expect(
        problemsOf({ sagemaker: { initialInstanceCount, minInstanceCount: 2, maxInstanceCount: 3 } }),
      ).toEqual([
        `sagemaker.initialInstanceCount: got ${initialInstanceCount}; expected between minInstanceCount (2) and maxInstanceCount (3)`,
      ]);
    }
  });

  test('counts are not compared when one of them is invalid itself', () => {
    expect(problemsOf({ sagemaker: { minInstanceCount: 3, maxInstanceCount: 0 } })).toEqual([
      'sagemaker.maxInstanceCount: got 0; expected an integer >= 1',
    ]);
    expect(
      problemsOf({ sagemaker: { initialInstanceCount: 5, minInstanceCount: 0, maxInstanceCount: 3 } }),
    ).toEqual(['sagemaker.minInstanceCount: got 0; expected an integer >= 1']);
    expect(
      problemsOf({ sagemaker: { initialInstanceCount: 0, minInstanceCount: 1, maxInstanceCount: 3 } }),
    ).toEqual(['sagemaker.initialInstanceCount: got 0; expected an integer >= 1']);
  });
});

test('a SageMaker model that is not a string is refused for its type alone (zod skips the refinements)', () => {
  const problems = problemsOf({ sagemaker: { model: ['fraud'] } });
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(/^sagemaker\.model: got \["fraud"\]; expected /);
});

describe('Vertex', () => {
  test('min equal to max passes; replicas are not compared when one is invalid', () => {
    accepts({ vertex: { minReplicas: 2, maxReplicas: 2 } });
    expect(problemsOf({ vertex: { minReplicas: 3, maxReplicas: 0 } })).toEqual([
      'vertex.maxReplicas: got 0; expected an integer >= 1',
    ]);
    expect(problemsOf({ vertex: { minReplicas: 0.5, maxReplicas: 2 } })).toHaveLength(1);
  });

  test('a model directory with a drive letter is absolute', () => {
    accepts({ vertex: { model: 'mine', modelDir: 'bundles/c:/mine' } });
    expect(problemsOf({ vertex: { model: 'mine', modelDir: 'C:\\bundles\\mine' } })).toEqual([
      'vertex.modelDir: got "C:\\\\bundles\\\\mine"; expected a path relative to the project root (an absolute path differs between machines)',
    ]);
  });
});
