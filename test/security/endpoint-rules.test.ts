import type { Json, Rule } from '../../src/security/finding';
import { viewFromJson } from '../../src/security/gate';
import {
  loadBalancerAuthentication,
  noLiteralSecrets,
  publicLoadBalancerSourceRanges,
  publicLoadBalancerTls,
  sagemakerEncryption,
  TLS_FIXES,
  vertexEncryption,
} from '../../src/security/rules/endpoints';
import { requiredTags } from '../../src/security/rules/tags';
import { resources, violations } from './helpers';

describe('managed endpoint encryption', () => {
  test('a SageMaker endpoint config without the key the stack declares is caught', () => {
    const json = resources({ aws_sagemaker_endpoint_configuration: { ec: { name_prefix: 'x' } } });
    const declaredKeys = { aws: [`\${aws_kms_key.key.arn}`], gcp: [] };
    expect(violations(sagemakerEncryption, json, { declaredKeys })).toEqual([
      `aws_sagemaker_endpoint_configuration.ec: kms_key_arn is not set while the stack has a configured key (\${aws_kms_key.key.arn})`,
    ]);
    json.resource.aws_sagemaker_endpoint_configuration.ec.kms_key_arn = `\${aws_kms_key.key.arn}`;
    expect(violations(sagemakerEncryption, json, { declaredKeys })).toEqual([]);
    // No key anywhere in the stack: AWS-owned encryption is the configured choice.
    expect(
      violations(sagemakerEncryption, resources({ aws_sagemaker_endpoint_configuration: { ec: {} } })),
    ).toEqual([]);
  });

  test('a KMS key the stack creates for something else (an SNS topic) is not the endpoint key', () => {
    const json = resources({
      aws_kms_key: { topic: {} },
      aws_sagemaker_endpoint_configuration: { ec: {} },
      google_kms_crypto_key: { other: {} },
      google_vertex_ai_endpoint: { ep: {} },
    });
    expect(violations(sagemakerEncryption, json)).toEqual([]);
    expect(violations(vertexEncryption, json)).toEqual([]);
  });

  test('a SageMaker endpoint config with another key than the declared one is caught', () => {
    const json = resources({
      aws_sagemaker_endpoint_configuration: { ec: { kms_key_arn: 'arn:aws:kms:us-east-1:1:key/other' } },
    });
    const declaredKeys = { aws: ['arn:aws:kms:us-east-1:1:key/configured'], gcp: [] };
    expect(violations(sagemakerEncryption, json, { declaredKeys })).toEqual([
      'aws_sagemaker_endpoint_configuration.ec: kms_key_arn is arn:aws:kms:us-east-1:1:key/other, not the configured key arn:aws:kms:us-east-1:1:key/configured',
    ]);
  });

  test('the key of the artifact bucket counts as the configured key', () => {
    const json = resources({
      aws_s3_bucket_server_side_encryption_configuration: {
        sse: {
          rule: [
            {
              apply_server_side_encryption_by_default: {
                sse_algorithm: 'aws:kms',
                kms_master_key_id: 'arn:k',
              },
            },
          ],
        },
      },
      aws_sagemaker_endpoint_configuration: { ec: {} },
    });
    expect(violations(sagemakerEncryption, json)).toHaveLength(1);
  });

  test('a Vertex endpoint without the configured Cloud KMS key is caught', () => {
    const json = resources({
      google_storage_bucket: {
        b: { encryption: { default_kms_key_name: 'projects/p/locations/l/keyRings/r/cryptoKeys/k' } },
      },
      google_vertex_ai_endpoint: { ep: { name: '123' } },
    });
    expect(violations(vertexEncryption, json)).toHaveLength(1);
    json.resource.google_vertex_ai_endpoint.ep.encryption_spec = {
      kms_key_name: 'projects/p/locations/l/keyRings/r/cryptoKeys/k',
    };
    expect(violations(vertexEncryption, json)).toEqual([]);
  });
});

/** A Deployment selected by `app: d` whose container has `env`, and a Service in front of it. */
function exposed(service: Json, env: Json[]): Json {
  return resources({
    kubernetes_deployment_v1: {
      d: {
        metadata: { namespace: 'ns' },
        spec: {
          template: { metadata: { labels: { app: 'd' } }, spec: { container: [{ name: 'server', env }] } },
        },
      },
    },
    kubernetes_service_v1: {
      s: {
        metadata: { namespace: 'ns', ...service.metadata },
        spec: { selector: { app: 'd' }, ...service.spec },
      },
    },
  });
}
const KEY_FROM_SECRET = [
  { name: 'API_KEYS', value_from: { secret_key_ref: { name: 'd-api-keys', key: 'api-keys' } } },
];
const INTERNAL = { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' };

describe('load balancers', () => {
  test('a public load balancer without source ranges, or open to 0.0.0.0/0, is caught; internal ones are not', () => {
    expect(
      violations(
        publicLoadBalancerSourceRanges,
        exposed({ spec: { type: 'LoadBalancer' } }, KEY_FROM_SECRET),
      ),
    ).toEqual(['kubernetes_service_v1.s: public load balancer admits any address']);
    const open = exposed(
      { spec: { type: 'LoadBalancer', load_balancer_source_ranges: ['0.0.0.0/0'] } },
      KEY_FROM_SECRET,
    );
    expect(violations(publicLoadBalancerSourceRanges, open)).toHaveLength(1);
    const listed = exposed(
      { spec: { type: 'LoadBalancer', load_balancer_source_ranges: ['203.0.113.0/24'] } },
      [],
    );
    expect(violations(publicLoadBalancerSourceRanges, listed)).toEqual([]);
    const internal = exposed({ metadata: { annotations: INTERNAL }, spec: { type: 'LoadBalancer' } }, []);
    expect(violations(publicLoadBalancerSourceRanges, internal)).toEqual([]);
    const gkeInternal = exposed(
      {
        metadata: { annotations: { 'networking.gke.io/load-balancer-type': 'Internal' } },
        spec: { type: 'LoadBalancer' },
      },
      [],
    );
    expect(violations(publicLoadBalancerSourceRanges, gkeInternal)).toEqual([]);
  });

  test('a load-balanced service whose server requires no key from a Secret is caught (internal LBs too)', () => {
    const internal = { metadata: { annotations: INTERNAL }, spec: { type: 'LoadBalancer' } };
    expect(violations(loadBalancerAuthentication, exposed(internal, []))).toEqual([
      'kubernetes_service_v1.s: exposes kubernetes_deployment_v1.d, whose server requires no API key from a Secret',
    ]);
    expect(
      violations(loadBalancerAuthentication, exposed(internal, [{ name: 'API_KEYS', value: 'literal' }])),
    ).toHaveLength(1);
    expect(violations(loadBalancerAuthentication, exposed(internal, KEY_FROM_SECRET))).toEqual([]);
    expect(violations(loadBalancerAuthentication, exposed({ spec: { type: 'ClusterIP' } }, []))).toEqual([]);
  });

  test('a public load balancer without TLS is a warning that says the key travels in clear', () => {
    expect(publicLoadBalancerTls.severity).toBe('warning');
    const plain = exposed(
      { spec: { type: 'LoadBalancer', load_balancer_source_ranges: ['203.0.113.0/24'] } },
      KEY_FROM_SECRET,
    );
    expect(violations(publicLoadBalancerTls, plain)).toEqual([
      'kubernetes_service_v1.s: plain HTTP on the internet: traffic and the API key travel in clear',
    ]);
    const tls = exposed(
      {
        metadata: {
          annotations: { 'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': 'arn:aws:acm:x' },
        },
        spec: { type: 'LoadBalancer' },
      },
      [],
    );
    expect(violations(publicLoadBalancerTls, tls)).toEqual([]);
  });

  test('a key, token or password given as a literal env value is caught', () => {
    const json = exposed({ spec: { type: 'ClusterIP' } }, [
      { name: 'API_KEYS', value: 'k' },
      { name: 'DB_PASSWORD', value: 'p' },
      { name: 'LOG_LEVEL', value: 'info' },
    ]);
    expect(violations(noLiteralSecrets, json)).toEqual([
      'kubernetes_deployment_v1.d: container server: API_KEYS is a literal value',
      'kubernetes_deployment_v1.d: container server: DB_PASSWORD is a literal value',
    ]);
  });
});

/** Fixes of one rule's violations, as `address: fix` (the rule's own fix when a violation has none). */
function fixes(rule: Rule, json: Json): string[] {
  return rule.check(viewFromJson('test', json)).map((v) => `${v.resource.address}: ${v.fix ?? rule.fix}`);
}

/** A GKE service behind a Gateway: namespace, Deployment, ClusterIP Service, Gateway and HTTPRoute. */
function behindGateway(
  options: {
    className?: string;
    listeners?: Json[];
    annotations?: Record<string, string>;
    env?: Json[];
    backendPolicy?: Json;
    securityPolicy?: Json;
  } = {},
): Json {
  const manifest = (kind: string, spec: Json, metadata: Json = {}) => ({
    manifest: { apiVersion: 'x', kind, metadata: { name: 'svc', namespace: 'ns', ...metadata }, spec },
  });
  return resources({
    kubernetes_namespace_v1: { ns: { metadata: { name: 'ns' } } },
    kubernetes_deployment_v1: {
      d: {
        metadata: { namespace: `\${kubernetes_namespace_v1.ns.metadata[0].name}` },
        spec: {
          template: {
            metadata: { labels: { app: 'd' } },
            spec: { container: [{ name: 'server', env: options.env ?? KEY_FROM_SECRET }] },
          },
        },
      },
    },
    kubernetes_service_v1: {
      s: {
        metadata: { name: 'svc', namespace: `\${kubernetes_namespace_v1.ns.metadata[0].name}` },
        spec: { type: 'ClusterIP', selector: { app: 'd' } },
      },
    },
    kubernetes_manifest: {
      gw: manifest(
        'Gateway',
        {
          gatewayClassName: options.className ?? 'gke-l7-global-external-managed',
          listeners: options.listeners ?? [{ name: 'https', protocol: 'HTTPS', port: 443 }],
        },
        { annotations: options.annotations ?? { 'networking.gke.io/certmap': 'm' } },
      ),
      route: manifest('HTTPRoute', {
        parentRefs: [{ kind: 'Gateway', name: 'svc' }],
        rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }],
      }),
      ...(options.backendPolicy
        ? {
            backend: manifest('GCPBackendPolicy', {
              default: options.backendPolicy,
              targetRef: { group: '', kind: 'Service', name: 'svc' },
            }),
          }
        : {}),
    },
    ...(options.securityPolicy ? { google_compute_security_policy: { armor: options.securityPolicy } } : {}),
  });
}
const armor = (rules: Json[]) => ({ name: 'armor', rule: rules });
const sources = (action: string, priority: number, ranges: string[]) => ({
  action,
  priority,
  match: { versioned_expr: 'SRC_IPS_V1', config: { src_ip_ranges: ranges } },
});
const DENY_REST = sources('deny(403)', 2147483647, ['*']);

describe('Gateways (GKE L7 load balancers)', () => {
  test('a public Gateway without a Cloud Armor policy on its backend admits any address', () => {
    expect(violations(publicLoadBalancerSourceRanges, behindGateway())).toEqual([
      'kubernetes_manifest.gw: public Gateway admits any address to Service svc (no Cloud Armor policy attached by a GCPBackendPolicy)',
    ]);
  });

  test('a Cloud Armor policy that allows the listed networks and denies the rest passes', () => {
    const json = behindGateway({
      backendPolicy: { securityPolicy: 'armor' },
      securityPolicy: armor([sources('allow', 1000, ['203.0.113.0/24']), DENY_REST]),
    });
    expect(violations(publicLoadBalancerSourceRanges, json)).toEqual([]);
  });

  test('a Cloud Armor policy that allows by default, or allows any address, is caught', () => {
    const allowByDefault = behindGateway({
      backendPolicy: { securityPolicy: 'armor' },
      securityPolicy: armor([sources('allow', 2147483647, ['*'])]),
    });
    expect(violations(publicLoadBalancerSourceRanges, allowByDefault)).toEqual([
      'kubernetes_manifest.gw: Cloud Armor policy armor of Service svc admits any address: its default rule (priority 2147483647) does not deny',
    ]);
    const allowAny = behindGateway({
      backendPolicy: { securityPolicy: 'armor' },
      securityPolicy: armor([sources('allow', 1000, ['0.0.0.0/0']), DENY_REST]),
    });
    expect(violations(publicLoadBalancerSourceRanges, allowAny)).toEqual([
      'kubernetes_manifest.gw: Cloud Armor policy armor of Service svc admits any address: its rule at priority 1000 allows any address or an expression',
    ]);
  });

  test('a Cloud Armor policy named but not in the stack cannot be checked', () => {
    expect(
      violations(
        publicLoadBalancerSourceRanges,
        behindGateway({ backendPolicy: { securityPolicy: 'elsewhere' } }),
      ),
    ).toEqual([
      'kubernetes_manifest.gw: Cloud Armor policy elsewhere of Service svc is not in the stack, so its rules cannot be checked',
    ]);
  });

  test('an internal Gateway (gke-l7-rilb) needs neither Cloud Armor nor TLS', () => {
    const json = behindGateway({
      className: 'gke-l7-rilb',
      listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }],
      annotations: {},
    });
    expect(violations(publicLoadBalancerSourceRanges, json)).toEqual([]);
    expect(violations(publicLoadBalancerTls, json)).toEqual([]);
  });

  test('a public Gateway with an HTTP listener, or HTTPS without a certificate, warns with the Gateway fix', () => {
    const plain = behindGateway({
      listeners: [
        { name: 'https', protocol: 'HTTPS', port: 443 },
        { name: 'http', protocol: 'HTTP', port: 80 },
      ],
    });
    expect(violations(publicLoadBalancerTls, plain)).toEqual([
      'kubernetes_manifest.gw: plain HTTP listener on port 80 of a public Gateway: traffic and the API key travel in clear',
    ]);
    expect(fixes(publicLoadBalancerTls, plain)).toEqual([`kubernetes_manifest.gw: ${TLS_FIXES.gateway}`]);
    const noCertificate = behindGateway({ annotations: {} });
    expect(violations(publicLoadBalancerTls, noCertificate)).toEqual([
      'kubernetes_manifest.gw: HTTPS listener on port 443 of a public Gateway has no certificate',
    ]);
    const secretCertificate = behindGateway({
      annotations: {},
      listeners: [
        { name: 'https', protocol: 'HTTPS', port: 443, tls: { certificateRefs: [{ name: 'tls-secret' }] } },
      ],
    });
    expect(violations(publicLoadBalancerTls, secretCertificate)).toEqual([]);
    expect(violations(publicLoadBalancerTls, behindGateway())).toEqual([]);
  });

  test('the backend of a Gateway must require an API key, like a load-balanced Service', () => {
    expect(violations(loadBalancerAuthentication, behindGateway({ env: [] }))).toEqual([
      'kubernetes_service_v1.s: exposes kubernetes_deployment_v1.d, whose server requires no API key from a Secret',
    ]);
    expect(violations(loadBalancerAuthentication, behindGateway())).toEqual([]);
  });
});

describe('the TLS fix names the cloud of the load balancer', () => {
  const plain = (annotations: Record<string, string>, provider: Json = {}) => ({
    ...exposed({ metadata: { annotations }, spec: { type: 'LoadBalancer' } }, KEY_FROM_SECRET),
    ...provider,
  });

  test('GKE (by annotation or by the google provider): gcpDomain and a Gateway, no ACM', () => {
    for (const json of [
      plain({ 'cloud.google.com/l4-rbs': 'enabled' }),
      plain({}, { provider: { google: [{}] } }),
    ]) {
      expect(fixes(publicLoadBalancerTls, json)).toEqual([
        `kubernetes_service_v1.s: ${TLS_FIXES.gke}, or keep it internal`,
      ]);
      expect(TLS_FIXES.gke).toMatch(
        /gcpDomain.*gke-l7-global-external-managed.*networking\.gke\.io\/certmap/,
      );
      expect(TLS_FIXES.gke).not.toMatch(/ACM|aws/);
    }
  });

  test('EKS (by annotation or by the aws provider): awsCertificateArn and the ACM annotation', () => {
    for (const json of [
      plain({ 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' }),
      plain({}, { provider: { aws: [{}] } }),
    ]) {
      expect(fixes(publicLoadBalancerTls, json)).toEqual([
        `kubernetes_service_v1.s: ${TLS_FIXES.eks}, or keep it internal`,
      ]);
      expect(TLS_FIXES.eks).toMatch(
        /awsCertificateArn.*service\.beta\.kubernetes\.io\/aws-load-balancer-ssl-cert/,
      );
    }
  });

  test('unknown cloud: the rule names both', () => {
    expect(fixes(publicLoadBalancerTls, plain({}))).toEqual([
      `kubernetes_service_v1.s: ${publicLoadBalancerTls.fix}`,
    ]);
    expect(publicLoadBalancerTls.fix).toMatch(/EKS: .*GKE: /);
  });
});

describe('tags and labels', () => {
  const TAGS = { project: 'p', service: 's', environment: 'e' };
  const taggable = {
    hasArgument: (_name: string, attribute: string) => ['tags', 'labels'].includes(attribute),
  };

  test('a taggable resource missing project/service/environment is caught; provider defaults count', () => {
    const json = resources(
      { aws_s3_bucket: { b: {} }, aws_iam_role: { r: { tags: { project: 'p' } } } },
      { provider: { aws: [{ region: 'us-east-1' }] } },
    );
    expect(violations(requiredTags, json, taggable)).toEqual([
      'aws_s3_bucket.b: no project, service, environment tag/label',
      'aws_iam_role.r: no service, environment tag/label',
    ]);
    json.provider.aws[0].default_tags = [{ tags: TAGS }];
    expect(violations(requiredTags, json, taggable)).toEqual([]);
  });

  test('Google labels count default_labels; an aliased provider is matched by its alias', () => {
    const json = resources(
      { google_storage_bucket: { b: { provider: 'google.other' } } },
      { provider: { google: [{ default_labels: TAGS }, { alias: 'other' }] } },
    );
    expect(violations(requiredTags, json, taggable)).toEqual([
      'google_storage_bucket.b: no project, service, environment tag/label',
    ]);
  });

  test('Kubernetes resources are checked on metadata.labels; types without tags are not checked', () => {
    const json = resources({
      kubernetes_service_v1: { s: { metadata: { name: 's', labels: { project: 'p' } } } },
      kubernetes_manifest: { m: { manifest: { metadata: { labels: TAGS } } } },
      docker_image: { i: { name: 'x' } },
    });
    expect(violations(requiredTags, json, taggable)).toEqual([
      'kubernetes_service_v1.s: no service, environment tag/label',
    ]);
  });
});
