import { TerraformStack, Testing } from 'cdktf';
import { parseConfig } from '../../src/config/load';
import { GkeServingStack } from '../../stacks/gke-serving';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, checked field by field
type Json = Record<string, any>;

const IMAGE = `us-central1-docker.pkg.dev/model-serving-demo/model-serving-demo/model-server@sha256:${'6'.repeat(64)}`;

function synth(input: unknown = {}): {
  text: string;
  json: Json;
  stack: GkeServingStack;
  deps: TerraformStack[];
} {
  const config = parseConfig(input);
  const app = Testing.app();
  const deps = [new TerraformStack(app, 'gke-cluster'), new TerraformStack(app, 'gcp-image')];
  const stack = new GkeServingStack(app, 'gke-serving', {
    stateBackend: config.stateBackend,
    project: config.project,
    environment: config.environment,
    gcpProjectId: config.gcp.projectId,
    region: config.gcp.region,
    clusterName: config.gke.clusterName,
    clusterLocation: config.gke.location,
    image: IMAGE,
    services: config.services,
    metricsScraperNamespaces: config.gke.metricsScraperNamespaces,
    dependsOn: deps,
  });
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text), stack, deps };
}

function byName(json: Json, type: string): Record<string, Json> {
  return Object.fromEntries(
    (Object.values(json.resource[type]) as Json[]).map((resource) => [resource.metadata.name, resource]),
  );
}
const envOf = (deployment: Json): Record<string, string> =>
  Object.fromEntries(deployment.spec.template.spec.container[0].env.map((e: Json) => [e.name, e.value]));

const SERVICES = ['bankchurn', 'chicagotaxi', 'nlpinsight'];

describe('gke-serving stack', () => {
  test('snapshot (defaults)', () => {
    expect(synth().text).toMatchSnapshot();
  });

  test('the Kubernetes provider is configured from data sources on the cluster name and location', () => {
    const { json } = synth({ gke: { clusterName: 'serving-prod', location: 'us-central1-b' } });
    expect(json.data.google_container_cluster.cluster).toMatchObject({
      name: 'serving-prod',
      location: 'us-central1-b',
    });
    expect(json.data.google_client_config.client).toBeDefined();
    expect(json.provider.kubernetes[0]).toEqual({
      host: `https://\${data.google_container_cluster.cluster.endpoint}`,
      cluster_ca_certificate: `\${base64decode(data.google_container_cluster.cluster.master_auth[0].cluster_ca_certificate)}`,
      token: `\${data.google_client_config.client.access_token}`,
    });
    expect(json.data.terraform_remote_state).toBeUndefined();
  });

  test('one service per configured model with its model, HPA at 70% and bounds', () => {
    const { json } = synth();
    const deployments = byName(json, 'kubernetes_deployment_v1');
    const hpas = byName(json, 'kubernetes_horizontal_pod_autoscaler_v2');
    expect(Object.keys(deployments).sort()).toEqual(SERVICES);
    for (const name of SERVICES) {
      expect(envOf(deployments[name]!)).toMatchObject({ MODEL_NAME: name, METRICS_PORT: '9090' });
      const spec = hpas[name]!.spec;
      expect([
        spec.min_replicas,
        spec.max_replicas,
        spec.metric[0].resource.target.average_utilization,
      ]).toEqual([2, 6, 70]);
    }
  });

  test('metrics are admitted from GKE Managed Prometheus (gmp-system) only', () => {
    for (const policy of Object.values(byName(synth().json, 'kubernetes_network_policy_v1'))) {
      const metrics = policy.spec.ingress.find((rule: Json) => rule.ports[0].port === '9090');
      expect(metrics.from).toEqual([
        { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'gmp-system' } } },
      ]);
    }
  });

  test('GKE Managed Prometheus: one PodMonitoring per service, selecting its pods on the metrics port', () => {
    const { json } = synth();
    const deployments = byName(json, 'kubernetes_deployment_v1');
    const monitorings = Object.values(json.resource.kubernetes_manifest) as Json[];
    expect(monitorings).toHaveLength(SERVICES.length);
    const byService = Object.fromEntries(monitorings.map((m) => [m.manifest.metadata.name, m.manifest]));
    expect(Object.keys(byService).sort()).toEqual(SERVICES);
    for (const name of SERVICES) {
      const monitoring = byService[name]!;
      expect(monitoring.apiVersion).toBe('monitoring.googleapis.com/v1');
      expect(monitoring.kind).toBe('PodMonitoring');
      expect(monitoring.metadata.namespace).toBe(deployments[name]!.metadata.namespace);
      expect(monitoring.spec.selector.matchLabels).toEqual(deployments[name]!.spec.selector.match_labels);
      expect(monitoring.spec.selector.matchLabels['app.kubernetes.io/instance']).toBe(name);
      expect(monitoring.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    }
  });

  test('internal load balancer annotation for GKE; Workload Identity only when a GCP SA is configured', () => {
    const sa = 'bankchurn-sa@model-serving-demo.iam.gserviceaccount.com';
    const { json } = synth({
      services: { bankchurn: { exposure: 'loadBalancer', gcpServiceAccount: sa }, nlpinsight: {} },
    });
    const services = byName(json, 'kubernetes_service_v1');
    expect(services.bankchurn!.metadata.annotations).toEqual({
      'networking.gke.io/load-balancer-type': 'Internal',
    });
    const accounts = byName(json, 'kubernetes_service_account_v1');
    expect(accounts.bankchurn!.metadata.annotations).toEqual({ 'iam.gke.io/gcp-service-account': sa });
    expect(accounts.nlpinsight!.metadata.annotations).toBeUndefined();
  });

  test('depends on the cluster and image stacks', () => {
    const { stack, deps } = synth();
    expect(stack.dependencies).toEqual(deps);
  });

  test('GKE parity: a public load balancer requires an API key from generated keys; namespaces are restricted', () => {
    const { json } = synth({
      services: { bankchurn: { exposure: 'publicLoadBalancer', allowedIngressCidrs: ['203.0.113.0/24'] } },
    });
    const secret = Object.values(json.resource.kubernetes_secret_v1)[0] as Json;
    expect(secret.data['api-keys']).toMatch(
      /^\$\{join\(",", \[random_password\.\S+\.result, random_password\.\S+\.result\]\)\}$/,
    );
    const env = byName(json, 'kubernetes_deployment_v1').bankchurn!.spec.template.spec.container[0]
      .env as Json[];
    expect(env.find((e) => e.name === 'API_KEYS')?.value_from.secret_key_ref.key).toBe('api-keys');
    expect(json.output.api_keys.sensitive).toBe(true);
    expect(byName(json, 'kubernetes_service_v1').bankchurn!.spec.load_balancer_source_ranges).toEqual([
      '203.0.113.0/24',
    ]);
    expect(
      byName(json, 'kubernetes_namespace_v1').bankchurn!.metadata.labels[
        'pod-security.kubernetes.io/enforce'
      ],
    ).toBe('restricted');
  });
});
