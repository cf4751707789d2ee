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
    imageRepositoryId: config.image.gcp.repositoryId,
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
    // google_client_config's token lasts about an hour and is never refreshed; the plugin refreshes it.
    expect(json.data.google_client_config).toBeUndefined();
    expect(json.provider.kubernetes[0]).toEqual({
      host: `https://\${data.google_container_cluster.cluster.endpoint}`,
      cluster_ca_certificate: `\${base64decode(data.google_container_cluster.cluster.master_auth[0].cluster_ca_certificate)}`,
      exec: [{ api_version: 'client.authentication.k8s.io/v1beta1', command: 'gke-gcloud-auth-plugin' }],
    });
    expect(json.data.terraform_remote_state).toBeUndefined();
  });

  test('the Google provider takes its project from the variable that refuses the placeholder', () => {
    const { json } = synth();
    expect(json.provider.google[0].project).toBe(`\${var.gcp_project_id}`);
    expect(json.variable.gcp_project_id.default).toBe('model-serving-demo');
    expect(json.variable.gcp_project_id.validation[0].condition).toBe(
      `\${(var.gcp_project_id != "model-serving-demo")}`,
    );
  });

  test('the node service account may pull from the image repository only, before any pod starts', () => {
    const { json } = synth({ gcp: { projectId: 'acme-prod-1' } });
    const grants = Object.entries(json.resource.google_artifact_registry_repository_iam_member) as [
      string,
      Json,
    ][];
    expect(grants).toHaveLength(1);
    const [grantId, grant] = grants[0]!;
    expect(grant).toEqual({
      project: 'acme-prod-1',
      location: 'us-central1',
      repository: 'model-serving-demo',
      role: 'roles/artifactregistry.reader',
      member: 'serviceAccount:model-serving-demo-nodes@acme-prod-1.iam.gserviceaccount.com',
    });
    expect(json.resource.google_project_iam_member).toBeUndefined();
    for (const deployment of Object.values(byName(json, 'kubernetes_deployment_v1'))) {
      expect(deployment.depends_on).toEqual([`google_artifact_registry_repository_iam_member.${grantId}`]);
    }
  });

  test('outputs say how to reach each service: get-credentials, port-forward, and the LB IP when load-balanced', () => {
    const internal = synth({ gcp: { projectId: 'acme-prod-1' } }).json;
    expect(internal.output.kubeconfig_command.value).toBe(
      'gcloud container clusters get-credentials model-serving-demo --region us-central1 --project acme-prod-1',
    );
    expect(internal.output.port_forward_commands.value.bankchurn).toBe(
      'kubectl -n bankchurn port-forward svc/bankchurn 8080:80',
    );
    expect(internal.output.load_balancer_addresses).toBeUndefined();
    const zonal = synth({ gcp: { projectId: 'acme-prod-1' }, gke: { location: 'us-central1-b' } }).json;
    expect(zonal.output.kubeconfig_command.value).toContain('--zone us-central1-b');
    const balanced = synth({
      services: { bankchurn: { exposure: 'publicLoadBalancer' }, nlpinsight: {} },
    }).json;
    const services = Object.entries(balanced.resource.kubernetes_service_v1) as [string, Json][];
    const [bankchurnId, bankchurn] = services.find(([, s]) => s.metadata.name === 'bankchurn')!;
    expect(balanced.output.load_balancer_addresses.value).toEqual({
      bankchurn: `\${kubernetes_service_v1.${bankchurnId}.status[0].load_balancer[0].ingress[0].ip}`,
    });
    expect(bankchurn.metadata.annotations).toEqual({ 'cloud.google.com/l4-rbs': 'enabled' });
    expect(bankchurn.spec.external_traffic_policy).toBe('Local');
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

  test('internal load balancer annotation for GKE; Workload Identity annotation and binding only with a GCP SA', () => {
    const sa = 'bankchurn-sa@shared-ids-1.iam.gserviceaccount.com';
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
    const bindings = Object.entries(json.resource.google_service_account_iam_member) as [string, Json][];
    expect(bindings).toHaveLength(1);
    const [bindingId, binding] = bindings[0]!;
    expect(binding).toEqual({
      service_account_id: `projects/shared-ids-1/serviceAccounts/${sa}`,
      role: 'roles/iam.workloadIdentityUser',
      member: 'serviceAccount:model-serving-demo.svc.id.goog[bankchurn/bankchurn]',
    });
    expect(byName(json, 'kubernetes_deployment_v1').bankchurn!.depends_on).toContain(
      `google_service_account_iam_member.${bindingId}`,
    );
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
