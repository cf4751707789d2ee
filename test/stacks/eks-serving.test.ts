import { TerraformStack, Testing } from 'cdktf';
import { parseConfig } from '../../src/config/load';
import { evaluateStack } from '../../src/security/gate';
import { EksServingStack } from '../../stacks/eks-serving';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, checked field by field
type Json = Record<string, any>;

const IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/model-serving-demo@sha256:${'5'.repeat(64)}`;

function synth(input: unknown = {}): {
  text: string;
  json: Json;
  stack: EksServingStack;
  deps: TerraformStack[];
} {
  const config = parseConfig(input);
  const app = Testing.app();
  const deps = [new TerraformStack(app, 'eks-cluster'), new TerraformStack(app, 'aws-image')];
  const stack = new EksServingStack(app, 'eks-serving', {
    stateBackend: config.stateBackend,
    project: config.project,
    environment: config.environment,
    region: config.aws.region,
    clusterName: config.eks.clusterName,
    image: IMAGE,
    services: config.services,
    metricsScraperNamespaces: config.eks.metricsScraperNamespaces,
    dependsOn: deps,
  });
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text), stack, deps };
}

/** Resources of a type keyed by their Kubernetes name. */
function byName(json: Json, type: string): Record<string, Json> {
  return Object.fromEntries(
    (Object.values(json.resource[type]) as Json[]).map((resource) => [resource.metadata.name, resource]),
  );
}
const envOf = (deployment: Json): Record<string, string> =>
  Object.fromEntries(deployment.spec.template.spec.container[0].env.map((e: Json) => [e.name, e.value]));

const SERVICES = ['bankchurn', 'chicagotaxi', 'nlpinsight'];

describe('eks-serving stack', () => {
  test('snapshot (defaults)', () => {
    expect(synth().text).toMatchSnapshot();
  });

  test('the Kubernetes provider finds the cluster by name and gets fresh tokens from aws eks get-token', () => {
    const { json } = synth({ eks: { clusterName: 'serving-prod' }, aws: { region: 'eu-west-1' } });
    expect(json.data.aws_eks_cluster.cluster.name).toBe('serving-prod');
    // A plan-time token (aws_eks_cluster_auth) expires after 15 minutes; exec asks again when needed.
    expect(json.data.aws_eks_cluster_auth).toBeUndefined();
    expect(json.provider.kubernetes[0]).toEqual({
      host: `\${data.aws_eks_cluster.cluster.endpoint}`,
      cluster_ca_certificate: `\${base64decode(data.aws_eks_cluster.cluster.certificate_authority[0].data)}`,
      exec: [
        {
          api_version: 'client.authentication.k8s.io/v1beta1',
          command: 'aws',
          args: [
            'eks',
            'get-token',
            '--cluster-name',
            'serving-prod',
            '--region',
            'eu-west-1',
            '--output',
            'json',
          ],
        },
      ],
    });
    expect(json.data.terraform_remote_state).toBeUndefined();
  });

  test('outputs say how to reach each service: kubeconfig, port-forward, and the NLB address when load-balanced', () => {
    const internal = synth().json;
    expect(internal.output.kubeconfig_command.value).toBe(
      'aws eks update-kubeconfig --region us-east-1 --name model-serving-demo',
    );
    expect(internal.output.port_forward_commands.value).toEqual({
      bankchurn: 'kubectl -n bankchurn port-forward svc/bankchurn 8080:80',
      chicagotaxi: 'kubectl -n chicagotaxi port-forward svc/chicagotaxi 8080:80',
      nlpinsight: 'kubectl -n nlpinsight port-forward svc/nlpinsight 8080:80',
    });
    expect(internal.output.load_balancer_addresses).toBeUndefined();
    const balanced = synth({
      services: { bankchurn: { exposure: 'publicLoadBalancer' }, nlpinsight: {} },
    }).json;
    const services = Object.entries(balanced.resource.kubernetes_service_v1) as [string, Json][];
    const [bankchurnId] = services.find(([, s]) => s.metadata.name === 'bankchurn')!;
    expect(balanced.output.load_balancer_addresses.value).toEqual({
      bankchurn: `\${kubernetes_service_v1.${bankchurnId}.status[0].load_balancer[0].ingress[0].hostname}`,
    });
  });

  test('one service per configured model, each in its own namespace, with its model and ports', () => {
    const { json } = synth();
    const deployments = byName(json, 'kubernetes_deployment_v1');
    expect(Object.keys(deployments).sort()).toEqual(SERVICES);
    expect(Object.keys(byName(json, 'kubernetes_namespace_v1')).sort()).toEqual(SERVICES);
    for (const name of SERVICES) {
      expect(envOf(deployments[name]!)).toMatchObject({
        MODEL_NAME: name,
        WORKERS: '1',
        DEFAULT_MODEL: name,
        PORT: '8080',
        METRICS_PORT: '9090',
      });
      expect(deployments[name]!.spec.template.spec.container[0].image).toBe(IMAGE);
    }
  });

  test('HPA: CPU 70% and 2..6 per service by default; a config override changes only that service', () => {
    const defaults = byName(synth().json, 'kubernetes_horizontal_pod_autoscaler_v2');
    for (const name of SERVICES) {
      const spec = defaults[name]!.spec;
      expect([
        spec.min_replicas,
        spec.max_replicas,
        spec.metric[0].resource.target.average_utilization,
      ]).toEqual([2, 6, 70]);
    }
    const overridden = byName(
      synth({
        services: {
          bankchurn: { hpa: { minReplicas: 1, maxReplicas: 10, cpuTargetPercent: 50 } },
          chicagotaxi: {},
          nlpinsight: {},
        },
      }).json,
      'kubernetes_horizontal_pod_autoscaler_v2',
    );
    expect(overridden.bankchurn!.spec).toMatchObject({ min_replicas: 1, max_replicas: 10 });
    expect(overridden.bankchurn!.spec.metric[0].resource.target.average_utilization).toBe(50);
    expect(overridden.chicagotaxi!.spec.metric[0].resource.target.average_utilization).toBe(70);
  });

  test('Services expose only the serving port; metrics are admitted from the monitoring namespace only', () => {
    const { json } = synth();
    for (const service of Object.values(byName(json, 'kubernetes_service_v1'))) {
      expect(service.spec.port).toEqual([{ name: 'http', port: 80, target_port: 'http', protocol: 'TCP' }]);
    }
    for (const policy of Object.values(byName(json, 'kubernetes_network_policy_v1'))) {
      const metrics = policy.spec.ingress.find((rule: Json) => rule.ports[0].port === '9090');
      expect(metrics.from).toEqual([
        { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
      ]);
    }
  });

  test('no PodMonitoring (a GKE-only CRD); pods keep the Prometheus scrape annotations', () => {
    const { json } = synth();
    expect(json.resource.kubernetes_manifest).toBeUndefined();
    for (const deployment of Object.values(byName(json, 'kubernetes_deployment_v1'))) {
      expect(deployment.spec.template.metadata.annotations).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '9090',
        'prometheus.io/path': '/metrics',
      });
    }
  });

  test('an internal NLB for exposure loadBalancer, whichever controller reconciles it', () => {
    const { json } = synth({ services: { bankchurn: { exposure: 'loadBalancer' }, nlpinsight: {} } });
    const services = byName(json, 'kubernetes_service_v1');
    expect(services.bankchurn!.spec.type).toBe('LoadBalancer');
    expect(services.bankchurn!.spec.external_traffic_policy).toBe('Local');
    expect(services.bankchurn!.metadata.annotations).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
      'service.beta.kubernetes.io/aws-load-balancer-internal': 'true',
    });
    expect(services.nlpinsight!.spec.type).toBe('ClusterIP');
  });

  test('allowedIngressCidrs with a load balancer: source ranges at the NLB, client addresses kept for the policy', () => {
    const { json } = synth({
      services: {
        bankchurn: { exposure: 'publicLoadBalancer', allowedIngressCidrs: ['203.0.113.0/24'] },
        nlpinsight: {},
      },
    });
    const service = byName(json, 'kubernetes_service_v1').bankchurn!;
    expect(service.spec.load_balancer_source_ranges).toEqual(['203.0.113.0/24']);
    expect(service.spec.external_traffic_policy).toBe('Local');
    const policy = byName(json, 'kubernetes_network_policy_v1').bankchurn!;
    const serving = policy.spec.ingress.find((rule: Json) => rule.ports[0].port === '8080');
    expect(serving.from).toEqual([{ ip_block: { cidr: '203.0.113.0/24' } }]);
  });

  test('awsRoleArn gets an EKS Pod Identity association for the service account, before the pods start', () => {
    const role = 'arn:aws:iam::123456789012:role/bankchurn';
    const { json } = synth({ services: { bankchurn: { awsRoleArn: role }, nlpinsight: {} } });
    const associations = Object.entries(json.resource.aws_eks_pod_identity_association) as [string, Json][];
    expect(associations).toHaveLength(1);
    const [associationId, association] = associations[0]!;
    expect(association).toEqual({
      cluster_name: 'model-serving-demo',
      namespace: 'bankchurn',
      service_account: 'bankchurn',
      role_arn: role,
    });
    expect(byName(json, 'kubernetes_deployment_v1').bankchurn!.depends_on).toContain(
      `aws_eks_pod_identity_association.${associationId}`,
    );
    expect(byName(json, 'kubernetes_deployment_v1').nlpinsight!.depends_on).toBeUndefined();
    // Pod Identity needs no annotation, and no IRSA role is made here.
    expect(byName(json, 'kubernetes_service_account_v1').bankchurn!.metadata.annotations).toBeUndefined();
    expect(json.resource.aws_iam_role).toBeUndefined();
  });

  test('depends on the cluster and image stacks', () => {
    const { stack, deps } = synth();
    expect(stack.dependencies).toEqual(deps);
  });

  test('serving namespaces make the cluster enforce the restricted Pod Security Standard', () => {
    const namespaces = byName(synth().json, 'kubernetes_namespace_v1');
    expect(Object.keys(namespaces).sort()).toEqual(SERVICES);
    for (const ns of Object.values(namespaces)) {
      expect(ns.metadata.labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
      });
    }
  });

  test('a load-balanced service requires an API key from a Secret of generated keys; internal ones do not', () => {
    const { json } = synth({ services: { bankchurn: { exposure: 'loadBalancer' }, nlpinsight: {} } });
    const passwords = json.resource.random_password as Record<string, Json>;
    expect(Object.keys(passwords).map((id) => id.replace(/_[0-9A-F]{8}$/, ''))).toEqual([
      'bankchurn_api-keys_key-a',
      'bankchurn_api-keys_key-b',
    ]);
    for (const password of Object.values(passwords)) {
      expect(password).toMatchObject({ length: 40, special: false, keepers: { generation: '1' } });
    }
    const [keyA, keyB] = Object.keys(passwords);
    const keys = `\${join(",", [random_password.${keyA}.result, random_password.${keyB}.result])}`;
    const secrets = Object.values(json.resource.kubernetes_secret_v1) as Json[];
    expect(secrets).toHaveLength(1);
    expect(secrets[0]!.metadata.name).toBe('bankchurn-api-keys');
    expect(secrets[0]!.data).toEqual({ 'api-keys': keys });

    const deployments = byName(json, 'kubernetes_deployment_v1');
    const keyed = deployments.bankchurn!.spec.template.spec.container[0].env.filter(
      (e: Json) => e.name === 'API_KEYS',
    );
    expect(keyed).toEqual([
      {
        name: 'API_KEYS',
        value_from: {
          secret_key_ref: {
            key: 'api-keys',
            name: expect.stringMatching(
              /^\$\{kubernetes_secret_v1\.bankchurn_api-keys_secret_\w+\.metadata\[0\]\.name\}$/,
            ),
          },
        },
      },
    ]);
    // A new key changes the pod template, so the pods roll and load it.
    expect(deployments.bankchurn!.spec.template.metadata.annotations['model-serving/api-keys-sha256']).toBe(
      `\${sha256(${keys.slice(2, -1)})}`,
    );
    const internalEnv = deployments.nlpinsight!.spec.template.spec.container[0].env.map((e: Json) => e.name);
    expect(internalEnv).not.toContain('API_KEYS');

    expect(json.output.api_keys).toEqual({
      description: expect.any(String),
      sensitive: true,
      value: { bankchurn: keys },
    });
    expect(json.output.api_key_commands.value).toEqual({
      bankchurn:
        "kubectl -n bankchurn get secret bankchurn-api-keys -o jsonpath='{.data.api-keys}' | base64 -d",
    });
    expect(json.provider.random).toEqual([{}]);
  });

  test("raising a key slot's generation replaces that key only (rotation)", () => {
    const { json } = synth({
      services: { bankchurn: { exposure: 'loadBalancer', apiKeyVersions: { b: 2 } } },
    });
    const generations = Object.entries(json.resource.random_password as Record<string, Json>).map(
      ([id, p]) => [id.replace(/_[0-9A-F]{8}$/, ''), p.keepers.generation],
    );
    expect(generations).toEqual([
      ['bankchurn_api-keys_key-a', '1'],
      ['bankchurn_api-keys_key-b', '2'],
    ]);
  });

  test('with only internal services there are no keys, no random provider and no key outputs', () => {
    const { json } = synth();
    expect(json.resource.random_password).toBeUndefined();
    expect(json.provider.random).toBeUndefined();
    expect(json.output.api_keys).toBeUndefined();
  });

  test('with an ACM certificate the load balancer terminates TLS on 443, and the gate has no plain-HTTP warning', () => {
    const cert = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000';
    const { json, stack } = synth({
      services: {
        bankchurn: {
          exposure: 'publicLoadBalancer',
          allowedIngressCidrs: ['203.0.113.0/24'],
          awsCertificateArn: cert,
        },
        nlpinsight: { exposure: 'publicLoadBalancer', allowedIngressCidrs: ['203.0.113.0/24'] },
      },
    });
    const services = byName(json, 'kubernetes_service_v1');
    expect(services.bankchurn!.metadata.annotations).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': cert,
      'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443',
      'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
    });
    expect(services.bankchurn!.spec.port).toEqual([
      { name: 'http', port: 443, target_port: 'http', protocol: 'TCP' },
    ]);
    expect(services.nlpinsight!.spec.port[0].port).toBe(80);
    const warnings = evaluateStack(stack).warnings.map((w) => `${w.rule} ${w.path}`);
    expect(warnings).toEqual(['endpoints.public-lb-tls eks-serving/nlpinsight/service']);
  });
});
