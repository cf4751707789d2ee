import { TerraformStack, Testing } from 'cdktf';
import { parseConfig } from '../../src/config/load';
import { evaluateStack } from '../../src/security/gate';
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
      expect(envOf(deployments[name]!)).toMatchObject({
        MODEL_NAME: name,
        METRICS_PORT: '9090',
        WORKERS: '1',
      });
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

  describe('TLS through a Gateway (gcpDomain)', () => {
    const DOMAIN = 'churn.models.example.com';
    const CIDRS = Array.from({ length: 12 }, (_, k) => `203.0.${k}.0/24`);
    const tlsSynth = (cidrs: string[] = CIDRS) =>
      synth({
        services: {
          bankchurn: { exposure: 'publicLoadBalancer', allowedIngressCidrs: cidrs, gcpDomain: DOMAIN },
          nlpinsight: { exposure: 'publicLoadBalancer', allowedIngressCidrs: ['198.51.100.0/24'] },
        },
      });
    /** The one kubernetes_manifest of `kind` (fails when there are several). */
    const manifestOf = (json: Json, kind: string): Json => {
      const found = (Object.values(json.resource.kubernetes_manifest) as Json[]).filter(
        (m) => m.manifest.kind === kind,
      );
      expect(found).toHaveLength(1);
      return found[0]!;
    };
    const only = (json: Json, type: string): [string, Json] => {
      const entries = Object.entries(json.resource[type] ?? {}) as [string, Json][];
      expect(entries).toHaveLength(1);
      return entries[0]!;
    };

    test('the Service becomes a NEG-backed ClusterIP; the other public service keeps its L4 load balancer', () => {
      const { json } = tlsSynth();
      const services = byName(json, 'kubernetes_service_v1');
      expect(services.bankchurn!.spec.type).toBe('ClusterIP');
      expect(services.bankchurn!.spec.load_balancer_source_ranges).toBeUndefined();
      expect(services.bankchurn!.spec.external_traffic_policy).toBeUndefined();
      expect(services.bankchurn!.metadata.annotations).toEqual({
        'cloud.google.com/neg': '{"ingress":true}',
      });
      expect(services.nlpinsight!.spec.type).toBe('LoadBalancer');
      // Still an API key: the Gateway exposes the service to the internet.
      const env = byName(json, 'kubernetes_deployment_v1').bankchurn!.spec.template.spec.container[0]
        .env as Json[];
      expect(env.find((e) => e.name === 'API_KEYS')?.value_from.secret_key_ref.key).toBe('api-keys');
      // The load balancer keeps backend connections 600 s: the server keeps them longer (no 502 on reuse).
      expect(env.find((e) => e.name === 'KEEP_ALIVE_TIMEOUT_SECONDS')?.value).toBe('620');
      const l4Env = byName(json, 'kubernetes_deployment_v1').nlpinsight!.spec.template.spec.container[0]
        .env as Json[];
      expect(l4Env.find((e) => e.name === 'KEEP_ALIVE_TIMEOUT_SECONDS')).toBeUndefined();
    });

    test('a Gateway of the global external class, one HTTPS listener on 443, the certificate map and the static IP', () => {
      const { json } = tlsSynth();
      const gateway = manifestOf(json, 'Gateway');
      const [, certMap] = only(json, 'google_certificate_manager_certificate_map');
      const [addressId, address] = only(json, 'google_compute_global_address');
      expect(gateway.manifest.metadata).toMatchObject({ name: 'bankchurn', namespace: 'bankchurn' });
      expect(gateway.manifest.metadata.annotations).toEqual({ 'networking.gke.io/certmap': certMap.name });
      expect(gateway.manifest.spec.gatewayClassName).toBe('gke-l7-global-external-managed');
      expect(gateway.manifest.spec.listeners).toEqual([
        { name: 'https', protocol: 'HTTPS', port: 443, allowedRoutes: { namespaces: { from: 'Same' } } },
      ]);
      expect(gateway.manifest.spec.addresses).toEqual([{ type: 'NamedAddress', value: address.name }]);
      expect(address).toMatchObject({ address_type: 'EXTERNAL', ip_version: 'IPV4' });
      expect(address.name).toBe('model-serving-demo-bankchurn-ip');
      expect(gateway.depends_on).toEqual(
        expect.arrayContaining([
          `google_compute_global_address.${addressId}`,
          expect.stringMatching(/^google_certificate_manager_certificate_map_entry\./),
        ]),
      );
    });

    test('a Google-managed certificate for the domain, mapped to the domain in the certificate map', () => {
      const { json } = tlsSynth();
      const [certId, cert] = only(json, 'google_certificate_manager_certificate');
      const [mapId] = only(json, 'google_certificate_manager_certificate_map');
      const [, entry] = only(json, 'google_certificate_manager_certificate_map_entry');
      expect(cert.managed).toEqual({ domains: [DOMAIN] });
      const [apiId, api] = only(json, 'google_project_service');
      expect(api).toMatchObject({ service: 'certificatemanager.googleapis.com', disable_on_destroy: false });
      expect(cert.depends_on).toEqual([`google_project_service.${apiId}`]);
      expect(cert.scope).toBeUndefined(); // DEFAULT: served by global load balancers
      expect(entry).toMatchObject({
        hostname: DOMAIN,
        map: `\${google_certificate_manager_certificate_map.${mapId}.name}`,
        certificates: [`\${google_certificate_manager_certificate.${certId}.id}`],
      });
    });

    test('the HTTPRoute sends the domain to the Service; the health check asks the readiness route', () => {
      const { json } = tlsSynth();
      const route = manifestOf(json, 'HTTPRoute').manifest;
      expect(route.metadata).toMatchObject({ name: 'bankchurn', namespace: 'bankchurn' });
      expect(route.spec).toEqual({
        parentRefs: [{ kind: 'Gateway', name: 'bankchurn' }],
        hostnames: [DOMAIN],
        rules: [{ backendRefs: [{ name: 'bankchurn', port: 80 }] }],
      });
      const health = manifestOf(json, 'HealthCheckPolicy').manifest;
      expect(health.spec.targetRef).toEqual({ group: '', kind: 'Service', name: 'bankchurn' });
      expect(health.spec.default.config).toEqual({
        type: 'HTTP',
        httpHealthCheck: { portSpecification: 'USE_FIXED_PORT', port: 8080, requestPath: '/health/ready' },
      });
    });

    test('Cloud Armor admits the listed networks (10 per rule) and denies the rest; a GCPBackendPolicy attaches it', () => {
      const { json } = tlsSynth();
      const [, policy] = only(json, 'google_compute_security_policy');
      expect(policy.type).toBe('CLOUD_ARMOR');
      expect(policy.rule).toEqual([
        expect.objectContaining({
          action: 'allow',
          priority: 1000,
          match: { versioned_expr: 'SRC_IPS_V1', config: { src_ip_ranges: CIDRS.slice(0, 10) } },
        }),
        expect.objectContaining({
          action: 'allow',
          priority: 1001,
          match: { versioned_expr: 'SRC_IPS_V1', config: { src_ip_ranges: CIDRS.slice(10) } },
        }),
        expect.objectContaining({
          action: 'deny(403)',
          priority: 2147483647,
          match: { versioned_expr: 'SRC_IPS_V1', config: { src_ip_ranges: ['*'] } },
        }),
      ]);
      const backend = manifestOf(json, 'GCPBackendPolicy').manifest;
      expect(backend.spec).toEqual({
        default: { securityPolicy: policy.name },
        targetRef: { group: '', kind: 'Service', name: 'bankchurn' },
      });
    });

    test('without allowedIngressCidrs there is no Cloud Armor policy, and the gate flags the open Gateway', () => {
      const { json, stack } = tlsSynth([]);
      expect(json.resource.google_compute_security_policy).toBeUndefined();
      expect(
        (Object.values(json.resource.kubernetes_manifest) as Json[]).filter(
          (m) => m.manifest.kind === 'GCPBackendPolicy',
        ),
      ).toEqual([]);
      const errors = evaluateStack(stack).errors.map((e) => `${e.rule} ${e.path} ${e.message}`);
      expect(errors).toEqual([
        'endpoints.public-lb-source-ranges gke-serving/bankchurn-tls-gateway/gateway public Gateway admits any address to Service bankchurn (no Cloud Armor policy attached by a GCPBackendPolicy)',
      ]);
    });

    test('the NetworkPolicy admits the load balancer proxies besides the client networks', () => {
      const { json } = tlsSynth(['203.0.113.0/24']);
      const policy = byName(json, 'kubernetes_network_policy_v1').bankchurn!;
      expect(policy.spec.ingress[0].from).toEqual([
        { ip_block: { cidr: '203.0.113.0/24' } },
        { ip_block: { cidr: '35.191.0.0/16' } },
        { ip_block: { cidr: '130.211.0.0/22' } },
      ]);
      // An L4 load balancer keeps client addresses: only the client networks.
      expect(byName(json, 'kubernetes_network_policy_v1').nlpinsight!.spec.ingress[0].from).toEqual([
        { ip_block: { cidr: '198.51.100.0/24' } },
      ]);
    });

    test('outputs: the static IP for the DNS record and the https URL; the L4 address only for the other', () => {
      const { json } = tlsSynth();
      const [addressId] = only(json, 'google_compute_global_address');
      expect(json.output.gateway_addresses.value).toEqual({
        bankchurn: `\${google_compute_global_address.${addressId}.address}`,
      });
      expect(json.output.https_urls.value).toEqual({ bankchurn: `https://${DOMAIN}` });
      expect(Object.keys(json.output.load_balancer_addresses.value)).toEqual(['nlpinsight']);
    });

    test('the gate passes the TLS Gateway and warns on the plain L4 one with the GKE fix', () => {
      const { stack } = tlsSynth();
      const report = evaluateStack(stack);
      expect(report.errors).toEqual([]);
      expect(report.warnings.map((w) => `${w.rule} ${w.path}`)).toEqual([
        'endpoints.public-lb-tls gke-serving/nlpinsight/service',
      ]);
      expect(report.warnings[0]!.fix).toMatch(
        /^set the service's gcpDomain: a Gateway .*networking\.gke\.io\/certmap/,
      );
      expect(report.warnings[0]!.fix).not.toMatch(/ACM|aws-load-balancer/);
    });

    test('every new resource carries the project, service and environment labels', () => {
      const { json } = tlsSynth();
      for (const m of Object.values(json.resource.kubernetes_manifest) as Json[]) {
        expect(Object.keys(m.manifest.metadata.labels)).toEqual(
          expect.arrayContaining(['project', 'service', 'environment']),
        );
      }
      expect(Object.keys(json.provider.google[0].default_labels)).toEqual(
        expect.arrayContaining(['project', 'service', 'environment']),
      );
    });
  });
});
