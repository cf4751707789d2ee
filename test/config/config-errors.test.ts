import { applyEnvOverrides, parseConfig } from '../../src/config/load';
import { problemsOf as configProblems } from './helpers/problems';

const DIGEST = `@sha256:${'a'.repeat(64)}`;

/** The problems of an invalid configuration (fails the test when it is valid). */
function problemsOf(input: unknown, env: Record<string, string> = {}): string[] {
  const { input: merged, origins } = applyEnvOverrides(input, env);
  return configProblems(merged, origins);
}

describe('config errors: one line per problem, field path, value got, what is expected', () => {
  test('unknown key, with the allowed keys', () => {
    expect(problemsOf({ aws: { regoin: 'us-east-1' } })).toEqual([
      'aws.regoin: got unknown key "regoin"; expected no such key (allowed: region, accountId, adminPrincipalArns)',
    ]);
  });

  test('unknown top-level key', () => {
    expect(problemsOf({ service: {} })[0]).toMatch(
      /^service: got unknown key "service"; expected no such key \(allowed: project, environment, stateBackend, aws, gcp, eks, gke, image, sagemaker, services, vertex, observability\)$/,
    );
  });

  test('bad AWS region pattern', () => {
    expect(problemsOf({ aws: { region: 'US-EAST-1' } })).toEqual([
      'aws.region: got "US-EAST-1"; expected an AWS region such as us-east-1',
    ]);
  });

  test('HPA min above max', () => {
    expect(problemsOf({ services: { bankchurn: { hpa: { minReplicas: 5, maxReplicas: 3 } } } })).toEqual([
      'services.bankchurn.hpa.minReplicas: got 5; expected <= maxReplicas (3)',
    ]);
  });

  test('CPU target out of range', () => {
    expect(problemsOf({ services: { bankchurn: { hpa: { cpuTargetPercent: 150 } } } })).toEqual([
      'services.bankchurn.hpa.cpuTargetPercent: got 150; expected an integer from 1 to 100',
    ]);
  });

  test('bad Kubernetes quantity', () => {
    expect(problemsOf({ services: { bankchurn: { resources: { limits: { memory: '1gb' } } } } })).toEqual([
      'services.bankchurn.resources.limits.memory: got "1gb"; expected a memory quantity such as 256Mi, 1Gi or 500M (no lowercase m)',
    ]);
  });

  test('requests above limits', () => {
    expect(problemsOf({ services: { bankchurn: { resources: { requests: { cpu: '2' } } } } })).toEqual([
      'services.bankchurn.resources.requests.cpu: got "2"; expected <= limits.cpu (1)',
    ]);
  });

  test('prebuilt image not pinned by digest', () => {
    expect(
      problemsOf({
        image: { aws: { mode: 'prebuilt', uri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/ms:latest' } },
      }),
    ).toEqual([
      'image.aws.uri: got "123456789012.dkr.ecr.us-east-1.amazonaws.com/ms:latest"; expected an image pinned by digest: <registry>/<repository>@sha256:<64 hex digits>',
    ]);
  });

  test('prebuilt mode without a uri, and a uri in build mode', () => {
    expect(
      problemsOf({ image: { aws: { mode: 'prebuilt' }, gcp: { uri: `r.example.com/x${DIGEST}` } } }),
    ).toEqual([
      'image.aws.uri: got nothing; expected an image URI pinned by digest for mode prebuilt',
      `image.gcp.uri: got "r.example.com/x${DIGEST}"; expected no uri for mode build (set mode: prebuilt to use it)`,
    ]);
  });

  test('unknown model name, with the bundled models', () => {
    expect(problemsOf({ services: { fraud: { model: 'fraud' } } })).toEqual([
      'services.fraud.model: got "fraud"; expected a bundled model, or set modelDir (allowed: bankchurn, chicagotaxi, nlpinsight)',
    ]);
  });

  test('a service named after no bundled model needs a model (the default model is the service name)', () => {
    expect(problemsOf({ services: { fraud: {} } })).toEqual([
      'services.fraud.model: got "fraud" (default); expected a bundled model, or set modelDir (allowed: bankchurn, chicagotaxi, nlpinsight)',
    ]);
  });

  test('bad service name (DNS-1035)', () => {
    expect(problemsOf({ services: { '1bank': { model: 'bankchurn' } } })).toEqual([
      'services.1bank: got name "1bank"; expected a DNS-1035 label: lowercase letters, digits and -, starting with a letter, at most 63',
    ]);
  });

  test('a bad service name hides nothing: the other services and its own fields are checked too', () => {
    // zod skips an entry whose key fails, and the checks across services, so without a second pass the
    // misspelled model shows up only once the name is fixed.
    expect(
      problemsOf({ services: { Bank_Churn: { model: 'bankchurn' }, taxi: { model: 'chicagotaxy' } } }),
    ).toEqual([
      'services.Bank_Churn: got name "Bank_Churn"; expected a DNS-1035 label: lowercase letters, digits and -, starting with a letter, at most 63',
      'services.taxi.model: got "chicagotaxy"; expected a bundled model, or set modelDir (allowed: bankchurn, chicagotaxi, nlpinsight)',
    ]);
    expect(
      problemsOf({
        project: 'X',
        services: { Fraud_Model: { model: 'bankchrun', hpa: { minReplicas: 0 } } },
      }),
    ).toEqual([
      'project: got "X"; expected a project name: 2-20 lowercase letters, digits and -',
      'services.Fraud_Model: got name "Fraud_Model"; expected a DNS-1035 label: lowercase letters, digits and -, starting with a letter, at most 63',
      'services.Fraud_Model.hpa.minReplicas: got 0; expected an integer >= 1',
      'services.Fraud_Model.model: got "bankchrun"; expected a bundled model, or set modelDir (allowed: bankchurn, chicagotaxi, nlpinsight)',
    ]);
  });

  test('a bad service name reports no problem of a default derived from that name', () => {
    // The model defaults to the service's name: that check waits until the name is valid.
    expect(problemsOf({ services: { Bank_Churn: {} } })).toEqual([
      'services.Bank_Churn: got name "Bank_Churn"; expected a DNS-1035 label: lowercase letters, digits and -, starting with a letter, at most 63',
    ]);
  });

  test('bad backend kind', () => {
    expect(problemsOf({ stateBackend: { kind: 'azurerm' } })).toEqual([
      'stateBackend.kind: got "azurerm"; expected one of the allowed values (allowed: local, s3, gcs)',
    ]);
  });

  test('missing bucket for s3', () => {
    expect(problemsOf({ stateBackend: { kind: 's3' } })).toEqual([
      'stateBackend.bucket: got nothing; expected a bucket name for kind s3',
    ]);
  });

  test('a key of another backend kind, and an absolute local directory', () => {
    expect(problemsOf({ stateBackend: { kind: 'local', bucket: 'b-123', directory: '/var/state' } })).toEqual(
      [
        'stateBackend.bucket: got "b-123"; expected no bucket for kind local (allowed: kind, directory)',
        'stateBackend.directory: got "/var/state"; expected a relative path (an absolute path differs between machines and breaks snapshots)',
      ],
    );
  });

  test('negative replicas', () => {
    expect(problemsOf({ services: { bankchurn: { replicas: -2 } } })).toEqual([
      'services.bankchurn.replicas: got -2; expected an integer >= 1',
    ]);
  });

  test('replicas outside the HPA bounds', () => {
    expect(problemsOf({ services: { bankchurn: { replicas: 9 } } })).toEqual([
      'services.bankchurn.replicas: got 9; expected between hpa.minReplicas (2) and hpa.maxReplicas (6)',
    ]);
  });

  test('wrong type', () => {
    expect(problemsOf({ services: { bankchurn: { replicas: '3' } } })).toEqual([
      'services.bankchurn.replicas: got "3"; expected a number',
    ]);
  });

  test('a reserved server variable in env', () => {
    expect(problemsOf({ services: { bankchurn: { env: { PORT: '9000', LOG_LEVEL: 'debug' } } } })).toEqual([
      'services.bankchurn.env.PORT: got name "PORT"; expected a variable the stacks do not set themselves (reserved: MODEL_NAME, DEFAULT_MODEL, MODEL_DIR, PORT, METRICS_PORT, SHUTDOWN_DELAY_SECONDS, SHUTDOWN_TIMEOUT_SECONDS, API_KEYS)',
    ]);
  });

  test('bad environment override value names the variable', () => {
    expect(problemsOf({}, { MS_GCP_PROJECT: 'My Project' })).toEqual([
      'gcp.projectId (from MS_GCP_PROJECT): got "My Project"; expected a GCP project id: 6-30 lowercase letters, digits and -',
    ]);
  });

  test('bad image override names the variable', () => {
    expect(problemsOf({}, { MS_AWS_IMAGE_URI: 'model-server:latest' })[0]).toMatch(
      /^image\.aws\.uri \(from MS_AWS_IMAGE_URI\): got "model-server:latest"; expected an image pinned by digest/,
    );
  });

  test('GKE location outside the GCP region', () => {
    expect(problemsOf({ gcp: { region: 'europe-west4' }, gke: { location: 'us-central1-a' } })).toEqual([
      'gke.location: got "us-central1-a"; expected gcp.region (europe-west4) or one of its zones such as europe-west4-a',
    ]);
  });

  test('a service named after a system or scraper namespace', () => {
    const problems = problemsOf({
      services: { 'kube-system': { model: 'bankchurn' }, monitoring: { model: 'bankchurn' }, bankchurn: {} },
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /^services\.kube-system: got .*; expected a service name that is not a system or scraper namespace \(taken: default, kube-system, kube-public, kube-node-lease, gmp-system, gmp-public, gke-managed-system, amazon-cloudwatch, monitoring\)$/,
    );
    expect(problems[1]).toMatch(/^services\.monitoring: got /);
    // A scraper namespace of one's own choosing is taken too.
    expect(
      problemsOf({
        eks: { metricsScraperNamespaces: ['observability'] },
        services: { observability: { model: 'bankchurn' } },
      }),
    ).toHaveLength(1);
    expect(problemsOf({ services: { default: { model: 'bankchurn' } } })).toHaveLength(1);
  });

  test('EKS zones outside the zone-name shape, too few zones', () => {
    expect(problemsOf({ eks: { availabilityZones: ['us-east-1a'] } })).toEqual([
      'eks.availabilityZones: got ["us-east-1a"]; expected at least 2 zones (EKS needs subnets in two)',
    ]);
  });

  test('EKS node sizes out of order', () => {
    expect(problemsOf({ eks: { nodeMinSize: 3, nodeDesiredSize: 2, nodeMaxSize: 4 } })).toEqual([
      'eks.nodeDesiredSize: got 2; expected nodeMinSize (3) <= nodeDesiredSize <= nodeMaxSize (4)',
    ]);
  });

  test('every problem is listed in one error, and the message names the source', () => {
    const input = {
      project: 'Model Serving',
      aws: { region: 'mars-1', accountId: '12' },
      services: { bankchurn: { exposure: 'public', hpa: { maxReplicas: 0 } } },
      extra: true,
    };
    const problems = problemsOf(input);
    expect(problems).toHaveLength(6);
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'project',
      'aws.region',
      'aws.accountId',
      'services.bankchurn.hpa.maxReplicas',
      'services.bankchurn.exposure',
      'extra',
    ]);
    expect(() => parseConfig(input, { source: 'my.json' })).toThrow(
      /^Invalid configuration \(my\.json\):\n {2}- project: /,
    );
  });

  test('a TLS certificate on an internal service', () => {
    expect(
      problemsOf({
        services: {
          bankchurn: {
            awsCertificateArn:
              'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000',
          },
        },
      }),
    ).toEqual([
      expect.stringMatching(
        /^services\.bankchurn\.awsCertificateArn: got "arn:aws:acm:[^"]+"; expected no certificate for exposure internal/,
      ),
    ]);
  });

  test('a GKE domain that is not a DNS name names the field and an example', () => {
    for (const bad of [
      'https://models.example.com',
      'Models.Example.com',
      'localhost',
      '*.example.com',
      'models.example.com.',
    ]) {
      expect(
        problemsOf({ services: { bankchurn: { exposure: 'publicLoadBalancer', gcpDomain: bad } } }),
      ).toEqual([
        `services.bankchurn.gcpDomain: got ${JSON.stringify(bad)}; expected a DNS name such as models.example.com (lowercase, no scheme, no trailing dot)`,
      ]);
    }
  });

  test('a GKE domain without a public load balancer says why only the public Gateway is made', () => {
    for (const exposure of ['internal', 'loadBalancer']) {
      expect(problemsOf({ services: { bankchurn: { exposure, gcpDomain: 'churn.example.com' } } })).toEqual([
        expect.stringMatching(
          new RegExp(
            `^services\\.bankchurn\\.gcpDomain: got "churn\\.example\\.com"; expected no domain for exposure ${exposure} \\(set exposure publicLoadBalancer: .*gke-l7-rilb, needs a proxy-only subnet and a regional Certificate Manager certificate with DNS authorization`,
          ),
        ),
      ]);
    }
  });

  test('a GKE domain with a public load balancer is valid', () => {
    const parsed = parseConfig({
      services: { bankchurn: { exposure: 'publicLoadBalancer', gcpDomain: 'churn.models.example.com' } },
    });
    expect(parsed.services.bankchurn!.gcpDomain).toBe('churn.models.example.com');
  });
});
