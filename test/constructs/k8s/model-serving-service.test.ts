import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import {
  EKS_LOAD_BALANCER_ANNOTATIONS,
  GKE_LOAD_BALANCER_ANNOTATIONS,
} from '../../../src/constructs/k8s/load-balancer-annotations';
import { IMAGE_MODELS_DIR } from '../../../src/constructs/k8s/model-serving-constants';
import {
  ModelServingService,
  type ModelServingServiceProps,
} from '../../../src/constructs/k8s/model-serving-service';
import { errorOf, IMAGE, type Json, synth } from './support';

/** The only resource of a type (fails if there are several). */
function only(json: Json, type: string): Json {
  const all = Object.values(json.resource?.[type] ?? {}) as Json[];
  expect(all).toHaveLength(1);
  return all[0]!;
}

describe('ModelServingService', () => {
  const json = synth();
  const deployment = only(json, 'kubernetes_deployment_v1');
  const podSpec = deployment.spec.template.spec;
  const container = podSpec.container[0];

  test('creates one of each resource, named after the service in its own namespace', () => {
    for (const type of [
      'kubernetes_namespace_v1',
      'kubernetes_service_account_v1',
      'kubernetes_deployment_v1',
      'kubernetes_service_v1',
      'kubernetes_horizontal_pod_autoscaler_v2',
      'kubernetes_pod_disruption_budget_v1',
      'kubernetes_network_policy_v1',
    ]) {
      const resource = only(json, type);
      expect(resource.metadata.name).toBe('bankchurn');
    }
    expect(deployment.metadata.namespace).toMatch(
      /^\$\{kubernetes_namespace_v1\.bankchurn_namespace_\w+\.metadata\[0\]\.name\}$/,
    );
  });

  test('wires the server environment: its model only, ports, shutdown delay and deadline', () => {
    const env = Object.fromEntries(container.env.map((e: Json) => [e.name, e.value]));
    expect(env).toEqual({
      MODEL_NAME: 'bankchurn',
      DEFAULT_MODEL: 'bankchurn',
      PORT: '8080',
      METRICS_PORT: '9090',
      MODEL_DIR: '/opt/model-server/models/bankchurn',
      // One process per pod: the HPA scales pods.
      WORKERS: '1',
      SHUTDOWN_DELAY_SECONDS: '5',
      // 30 s grace - 5 s pre-stop sleep - 2 s margin: the server exits before Kubernetes kills it.
      SHUTDOWN_TIMEOUT_SECONDS: '23',
    });
    expect(container.image).toBe(IMAGE);
  });

  test('the bundled model directory matches the image layout in model-server/Dockerfile', () => {
    const dockerfile = readFileSync(path.join(__dirname, '../../../model-server/Dockerfile'), 'utf8');
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const workdir = /^WORKDIR (\S+)$/m.exec(finalStage)?.[1];
    const target = /^COPY model-server\/models (\S+)$/m.exec(finalStage)?.[1];
    expect(workdir && target && path.posix.resolve(workdir, target)).toBe(IMAGE_MODELS_DIR);
  });

  test('probes the server health routes on the serving port', () => {
    expect(container.port).toEqual([
      { name: 'http', container_port: 8080, protocol: 'TCP' },
      { name: 'metrics', container_port: 9090, protocol: 'TCP' },
    ]);
    expect(container.startup_probe.http_get).toEqual({ path: '/health/ready', port: '8080' });
    expect(container.readiness_probe.http_get).toEqual({ path: '/health/ready', port: '8080' });
    expect(container.liveness_probe.http_get).toEqual({ path: '/health/live', port: '8080' });
  });

  test('drains: preStop sleep and a grace period longer than sleep + shutdown delay', () => {
    expect(container.lifecycle.pre_stop[0].exec.command).toEqual(['sleep', '5']);
    expect(podSpec.termination_grace_period_seconds).toBe(30);
  });

  test('runs hardened: non-root 10001, read-only root with /tmp emptyDir, no privilege, seccomp', () => {
    expect(podSpec.security_context).toMatchObject({
      run_as_non_root: true,
      run_as_user: '10001',
      run_as_group: '10001',
      fs_group: '10001',
      seccomp_profile: { type: 'RuntimeDefault' },
    });
    expect(container.security_context).toMatchObject({
      run_as_non_root: true,
      run_as_user: '10001',
      read_only_root_filesystem: true,
      allow_privilege_escalation: false,
      capabilities: { drop: ['ALL'] },
      seccomp_profile: { type: 'RuntimeDefault' },
    });
    expect(container.volume_mount).toEqual([{ name: 'tmp', mount_path: '/tmp' }]);
    expect(podSpec.volume).toEqual([{ name: 'tmp', empty_dir: { size_limit: '128Mi' } }]);
    expect(container.security_context.privileged).toBe(false);
    expect(podSpec.automount_service_account_token).toBe(false);
    expect(only(json, 'kubernetes_service_account_v1').automount_service_account_token).toBe(false);
  });

  test('spreads pods across zones and hosts without blocking scheduling', () => {
    const spread = podSpec.topology_spread_constraint;
    expect(spread.map((s: Json) => s.topology_key)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
    for (const s of spread) {
      expect(s.when_unsatisfiable).toBe('ScheduleAnyway');
      expect(s.label_selector[0].match_labels).toEqual(deployment.spec.selector.match_labels);
    }
  });

  test('pods carry the Prometheus scrape annotations and the recommended labels', () => {
    expect(deployment.spec.template.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9090',
      'prometheus.io/path': '/metrics',
    });
    expect(deployment.spec.template.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'model-server',
      'app.kubernetes.io/instance': 'bankchurn',
      'app.kubernetes.io/component': 'inference',
      'app.kubernetes.io/part-of': 'model-serving',
      'app.kubernetes.io/managed-by': 'cdktf',
    });
  });

  test('no PodMonitoring unless asked for (not every cluster has the CRD)', () => {
    expect(json.resource.kubernetes_manifest).toBeUndefined();
  });

  test('podMonitoring: GKE Managed Prometheus scrapes the pods by the metrics port name and path', () => {
    const withMonitoring = synth({ podMonitoring: true });
    const [namespaceId] = Object.keys(withMonitoring.resource.kubernetes_namespace_v1);
    const { manifest } = only(withMonitoring, 'kubernetes_manifest');
    const pods = only(withMonitoring, 'kubernetes_deployment_v1').spec;
    expect(manifest.apiVersion).toBe('monitoring.googleapis.com/v1');
    expect(manifest.kind).toBe('PodMonitoring');
    expect(manifest.metadata).toMatchObject({
      name: 'bankchurn',
      namespace: `\${kubernetes_namespace_v1.${namespaceId}.metadata[0].name}`,
    });
    // Exactly the Deployment's pods: the selector is the Deployment's own.
    expect(manifest.spec.selector).toEqual({ matchLabels: pods.selector.match_labels });
    expect(manifest.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    // The endpoint's port name is the container port that serves metrics, and the path the annotated one.
    const metricsPort = pods.template.spec.container[0].port.find((p: Json) => p.name === 'metrics');
    expect(metricsPort.container_port).toBe(9090);
    expect(pods.template.metadata.annotations['prometheus.io/path']).toBe(manifest.spec.endpoints[0].path);
  });

  test('podMonitoring in a namespace made elsewhere uses that namespace by name', () => {
    const shared = synth({ podMonitoring: true, createNamespace: false, namespace: 'shared' });
    expect(only(shared, 'kubernetes_manifest').manifest.metadata.namespace).toBe('shared');
  });

  test('the Service exposes only the serving port, as ClusterIP by default', () => {
    const service = only(json, 'kubernetes_service_v1');
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.port).toEqual([{ name: 'http', port: 80, target_port: 'http', protocol: 'TCP' }]);
    expect(JSON.stringify(service)).not.toContain('9090');
    expect(service.metadata.annotations).toBeUndefined();
    expect(service.spec.load_balancer_source_ranges).toBeUndefined();
    expect(service.spec.external_traffic_policy).toBeUndefined();
  });

  test('a ClusterIP never carries load balancer source ranges, even with client CIDRs', () => {
    const service = only(synth({ allowedIngressCidrs: ['10.0.0.0/8'] }), 'kubernetes_service_v1');
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.load_balancer_source_ranges).toBeUndefined();
  });

  test('rolls out one new pod at a time without taking a ready one away', () => {
    expect(deployment.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rolling_update: { max_surge: '1', max_unavailable: '0' },
    });
  });

  test('requests and limits CPU and memory', () => {
    expect(container.resources).toEqual({
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    });
    const custom = only(synth({ resources: { requests: { cpu: '500m' } } }), 'kubernetes_deployment_v1').spec
      .template.spec.container[0];
    expect(custom.resources.requests).toEqual({ cpu: '500m', memory: '256Mi' });
  });

  test('the in-cluster URL names the port unless it is 80', () => {
    const url = (props: Partial<ModelServingServiceProps>) => {
      const app = Testing.app();
      const stack = new TerraformStack(app, 'test');
      new KubernetesProvider(stack, 'kubernetes', {});
      return new ModelServingService(stack, 'bankchurn', { image: IMAGE, modelName: 'bankchurn', ...props })
        .url;
    };
    expect(url({})).toBe('http://bankchurn.bankchurn.svc.cluster.local');
    expect(url({ servicePort: 8443, namespace: 'serving' })).toBe(
      'http://bankchurn.serving.svc.cluster.local:8443',
    );
  });

  test('the HPA targets 70% CPU between min and max, with a 300 s scale-down window', () => {
    const hpa = only(json, 'kubernetes_horizontal_pod_autoscaler_v2').spec;
    expect(hpa.min_replicas).toBe(2);
    expect(hpa.max_replicas).toBe(6);
    expect(hpa.metric).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', average_utilization: 70 } },
      },
    ]);
    expect(hpa.behavior.scale_down[0].stabilization_window_seconds).toBe(300);
    // At most half the pods and at most two per minute, whichever is slower; scale-up at once.
    expect(hpa.behavior.scale_down[0].select_policy).toBe('Min');
    expect(hpa.behavior.scale_down[0].policy).toEqual([
      { type: 'Percent', value: 50, period_seconds: 60 },
      { type: 'Pods', value: 2, period_seconds: 60 },
    ]);
    expect(hpa.behavior.scale_up).toEqual([
      {
        stabilization_window_seconds: 0,
        select_policy: 'Max',
        policy: [
          { type: 'Percent', value: 100, period_seconds: 30 },
          { type: 'Pods', value: 4, period_seconds: 30 },
        ],
      },
    ]);
    expect(hpa.scale_target_ref).toMatchObject({ kind: 'Deployment', api_version: 'apps/v1' });
    expect(deployment.lifecycle.ignore_changes).toEqual(['spec[0].replicas']);
  });

  test('the PDB allows one voluntary disruption at a time', () => {
    const pdb = only(json, 'kubernetes_pod_disruption_budget_v1').spec;
    expect(pdb.max_unavailable).toBe('1');
    expect(pdb.selector.match_labels).toEqual(deployment.spec.selector.match_labels);
  });

  test('the NetworkPolicy admits the serving port from anywhere and metrics only from the scraper namespace', () => {
    const policy = only(json, 'kubernetes_network_policy_v1').spec;
    expect(policy.policy_types).toEqual(['Ingress']);
    expect(policy.pod_selector.match_labels).toEqual(deployment.spec.selector.match_labels);
    expect(policy.pod_selector.match_labels).toEqual({
      'app.kubernetes.io/name': 'model-server',
      'app.kubernetes.io/instance': 'bankchurn',
    });
    expect(policy.ingress).toEqual([
      { ports: [{ port: '8080', protocol: 'TCP' }] },
      {
        from: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
        ports: [{ port: '9090', protocol: 'TCP' }],
      },
    ]);
  });

  test('props change HPA bounds, target, exposure annotations, service account annotations and ingress', () => {
    const custom = synth({
      minReplicas: 3,
      maxReplicas: 9,
      replicas: 4,
      cpuTargetUtilizationPercent: 55,
      exposure: 'loadBalancer',
      loadBalancerAnnotations: EKS_LOAD_BALANCER_ANNOTATIONS,
      serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/x' },
      allowedIngressCidrs: ['10.0.0.0/8'],
      allowedIngressNamespaces: ['gateway'],
      metricsScraperNamespaces: ['gmp-system'],
      createNamespace: false,
      namespace: 'shared',
      modelName: 'chicagotaxi',
      modelDir: '/models',
    });
    const hpa = only(custom, 'kubernetes_horizontal_pod_autoscaler_v2').spec;
    expect([hpa.min_replicas, hpa.max_replicas]).toEqual([3, 9]);
    expect(hpa.metric[0].resource.target.average_utilization).toBe(55);
    const dep = only(custom, 'kubernetes_deployment_v1');
    expect(dep.spec.replicas).toBe('4');
    expect(dep.metadata.namespace).toBe('shared');
    expect(custom.resource.kubernetes_namespace_v1).toBeUndefined();
    const env = Object.fromEntries(
      dep.spec.template.spec.container[0].env.map((e: Json) => [e.name, e.value]),
    );
    expect(env).toMatchObject({
      MODEL_NAME: 'chicagotaxi',
      DEFAULT_MODEL: 'chicagotaxi',
      MODEL_DIR: '/models',
    });
    const service = only(custom, 'kubernetes_service_v1');
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.metadata.annotations).toEqual(EKS_LOAD_BALANCER_ANNOTATIONS.internal);
    expect(service.spec.load_balancer_source_ranges).toEqual(['10.0.0.0/8']);
    expect(only(custom, 'kubernetes_service_account_v1').metadata.annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/x',
    });
    const policy = only(custom, 'kubernetes_network_policy_v1').spec;
    expect(policy.ingress[0].from).toEqual([
      { ip_block: { cidr: '10.0.0.0/8' } },
      { namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'gateway' } } },
    ]);
    expect(policy.ingress[1].from[0].namespace_selector.match_labels['kubernetes.io/metadata.name']).toBe(
      'gmp-system',
    );
  });

  test('exposure picks the internal or public annotations of the cloud', () => {
    const gkeInternal = only(
      synth({ exposure: 'loadBalancer', loadBalancerAnnotations: GKE_LOAD_BALANCER_ANNOTATIONS }),
      'kubernetes_service_v1',
    );
    expect(gkeInternal.metadata.annotations).toEqual({ 'networking.gke.io/load-balancer-type': 'Internal' });
    const eksPublic = only(
      synth({ exposure: 'publicLoadBalancer', loadBalancerAnnotations: EKS_LOAD_BALANCER_ANNOTATIONS }),
      'kubernetes_service_v1',
    );
    expect(eksPublic.spec.type).toBe('LoadBalancer');
    // An NLB from EKS's own cloud controller (no AWS Load Balancer Controller needed), not a Classic ELB.
    expect(eksPublic.metadata.annotations).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
    });
    const gkePublic = only(
      synth({ exposure: 'publicLoadBalancer', loadBalancerAnnotations: GKE_LOAD_BALANCER_ANNOTATIONS }),
      'kubernetes_service_v1',
    );
    // The backend-service based external passthrough NLB, not the target-pool one.
    expect(gkePublic.metadata.annotations).toEqual({ 'cloud.google.com/l4-rbs': 'enabled' });
  });

  test('client CIDRs with a load balancer: enforced at the LB and by the NetworkPolicy, which sees clients', () => {
    const service = only(
      synth({
        exposure: 'publicLoadBalancer',
        loadBalancerAnnotations: EKS_LOAD_BALANCER_ANNOTATIONS,
        allowedIngressCidrs: ['203.0.113.0/24'],
      }),
      'kubernetes_service_v1',
    );
    // Local keeps the client address (no SNAT to a node), so the ipBlock rule admits the client itself.
    expect(service.spec.external_traffic_policy).toBe('Local');
    expect(service.spec.load_balancer_source_ranges).toEqual(['203.0.113.0/24']);
    const internal = only(synth({}), 'kubernetes_service_v1');
    expect(internal.spec.type).toBe('ClusterIP');
    expect(internal.spec.external_traffic_policy).toBeUndefined();
  });
});

describe('ModelServingService validation (one error listing every problem)', () => {
  test('min above max and replicas out of bounds', () => {
    const message = errorOf({ minReplicas: 5, maxReplicas: 3, replicas: 1 });
    expect(message).toContain('Invalid ModelServingService props for "bankchurn"');
    expect(message).toContain('minReplicas: got 5; expected <= maxReplicas (3)');
    expect(message).toContain('replicas: got 1; expected between minReplicas (5) and maxReplicas (3)');
  });

  test('CPU target outside 1..100', () => {
    expect(errorOf({ cpuTargetUtilizationPercent: 0 })).toContain(
      'cpuTargetUtilizationPercent: got 0; expected an integer from 1 to 100',
    );
  });

  test('bad quantities and requests above limits', () => {
    const message = errorOf({ resources: { requests: { cpu: '2', memory: '512m' }, limits: { cpu: '1' } } });
    expect(message).toContain('resources.requests.memory: got "512m"; expected a memory quantity');
    expect(message).toContain('resources.requests.cpu: got "2"; expected <= resources.limits.cpu (1)');
  });

  test('grace period too short for the pre-stop sleep, the shutdown delay and draining', () => {
    expect(
      errorOf({ preStopSleepSeconds: 10, shutdownDelaySeconds: 10, terminationGracePeriodSeconds: 25 }),
    ).toContain(
      'terminationGracePeriodSeconds: got 25; expected >= preStopSleepSeconds (10) + shutdownDelaySeconds (10) + 10 s',
    );
  });

  test('bad service name, CIDR, scraper namespace and reserved env', () => {
    const message = errorOf({
      serviceName: 'Bank_Churn',
      allowedIngressCidrs: ['10.0.0.0'],
      metricsScraperNamespaces: ['Monitoring'],
      env: { PORT: '1234' },
    });
    expect(message).toContain('serviceName: got "Bank_Churn"; expected a DNS-1035 label');
    expect(message).toContain('allowedIngressCidrs[0]: got "10.0.0.0"; expected a CIDR');
    expect(message).toContain('metricsScraperNamespaces[0]: got "Monitoring"');
    expect(message).toContain('env.PORT: got "1234"; expected a variable the construct does not set itself');
  });

  test.each([
    [{ servicePort: 0 }, 'servicePort: got 0; expected a port from 1 to 65535'],
    [{ servicePort: 65536 }, 'servicePort: got 65536; expected a port from 1 to 65535'],
    [{ servicePort: 80.5 }, 'servicePort: got 80.5; expected a port from 1 to 65535'],
    [
      { scaleDownStabilizationWindowSeconds: -1 },
      'scaleDownStabilizationWindowSeconds: got -1; expected an integer from 0 to 3600',
    ],
    [
      { scaleDownStabilizationWindowSeconds: 3601 },
      'scaleDownStabilizationWindowSeconds: got 3601; expected an integer from 0 to 3600',
    ],
    [{ preStopSleepSeconds: -1 }, 'preStopSleepSeconds: got -1; expected an integer >= 0'],
    [{ preStopSleepSeconds: 1.5 }, 'preStopSleepSeconds: got 1.5; expected an integer >= 0'],
    [{ shutdownDelaySeconds: -1 }, 'shutdownDelaySeconds: got -1; expected an integer >= 0'],
    [
      { terminationGracePeriodSeconds: 30.5 },
      'terminationGracePeriodSeconds: got 30.5; expected an integer >= 0',
    ],
    [{ namespace: 'Serving' }, 'namespace: got "Serving"; expected a DNS-1123 label'],
    [{ image: ' ' }, 'image: got " "; expected an image reference'],
    [{ modelName: '' }, 'modelName: got ""; expected a model name'],
    [{ metricsScraperNamespaces: [] }, 'metricsScraperNamespaces: got []; expected at least one namespace'],
  ] as [Partial<ModelServingServiceProps>, string][])('refuses %j: %s', (props, message) => {
    expect(errorOf(props)).toContain(message);
  });

  test.each([
    { servicePort: 1 },
    { servicePort: 65535 },
    { scaleDownStabilizationWindowSeconds: 0 },
    { scaleDownStabilizationWindowSeconds: 3600 },
    { namespace: 'serving-2' },
  ] as Partial<ModelServingServiceProps>[])('accepts the edge value %j', (props) => {
    expect(() => synth(props)).not.toThrow();
  });

  test('the server requires an API key exactly when the service is load-balanced, unless told otherwise', () => {
    const keyed = (props: Partial<ModelServingServiceProps>) => {
      const out = synth(props);
      const env = only(out, 'kubernetes_deployment_v1').spec.template.spec.container[0].env as Json[];
      return {
        passwords: Object.keys(out.resource.random_password ?? {}).length,
        secrets: Object.keys(out.resource.kubernetes_secret_v1 ?? {}).length,
        env: env.some((e) => e.name === 'API_KEYS'),
      };
    };
    expect(keyed({})).toEqual({ passwords: 0, secrets: 0, env: false });
    expect(keyed({ exposure: 'loadBalancer' })).toEqual({ passwords: 2, secrets: 1, env: true });
    expect(keyed({ exposure: 'publicLoadBalancer' })).toEqual({ passwords: 2, secrets: 1, env: true });
    expect(keyed({ exposure: 'loadBalancer', requireApiKey: false })).toEqual({
      passwords: 0,
      secrets: 0,
      env: false,
    });
    expect(keyed({ requireApiKey: true })).toEqual({ passwords: 2, secrets: 1, env: true });
  });

  test('API_KEYS is reserved: env cannot set a literal key', () => {
    expect(errorOf({ env: { API_KEYS: 'x' } })).toMatch(/env\.API_KEYS/);
  });
});
