import type { Json, ResourceView, Rule, StackView, Violation } from '../finding';
import { block, blocks, isFalse, isTrue, strings } from '../json';

/** Pod specs of every workload resource type the Kubernetes provider has, with where they sit. */
const POD_SPEC_PATHS: Readonly<Record<string, (config: Json) => Json | undefined>> = {
  kubernetes_deployment_v1: templateSpec,
  kubernetes_deployment: templateSpec,
  kubernetes_stateful_set_v1: templateSpec,
  kubernetes_stateful_set: templateSpec,
  kubernetes_daemon_set_v1: templateSpec,
  kubernetes_daemonset: templateSpec,
  kubernetes_replication_controller_v1: templateSpec,
  kubernetes_job_v1: templateSpec,
  kubernetes_job: templateSpec,
  kubernetes_cron_job_v1: (c) => templateSpec(block(block(c.spec).job_template)),
  kubernetes_cron_job: (c) => templateSpec(block(block(c.spec).job_template)),
  kubernetes_pod_v1: (c) => block(c.spec),
  kubernetes_pod: (c) => block(c.spec),
};

function templateSpec(config: Json): Json | undefined {
  return block(block(block(config.spec).template).spec);
}

export interface Workload {
  readonly resource: ResourceView;
  readonly namespace: unknown;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly pod: Json;
  readonly containers: Json[];
}

export function workloads(stack: StackView): Workload[] {
  return stack.resources.flatMap((resource) => {
    const specOf = POD_SPEC_PATHS[resource.type];
    const pod = specOf?.(resource.config);
    if (!pod) return [];
    const template = resource.type.startsWith('kubernetes_pod')
      ? resource.config
      : block(block(resource.config.spec).template);
    return [
      {
        resource,
        namespace: block(resource.config.metadata).namespace ?? 'default',
        podLabels: block(template.metadata).labels ?? {},
        pod,
        containers: [...blocks(pod.container), ...blocks(pod.init_container)],
      },
    ];
  });
}

/** A security-context field as the container sees it: its own, else the pod's. */
function effective(workload: Workload, container: Json, field: string): unknown {
  return block(container.security_context)[field] ?? block(workload.pod.security_context)[field];
}

function containerRule(
  id: string,
  description: string,
  fix: string,
  broken: (workload: Workload, container: Json) => string | undefined,
): Rule {
  return {
    id,
    family: 'workloads',
    description,
    fix,
    check: (stack) =>
      workloads(stack).flatMap((workload) =>
        workload.containers.flatMap((container): Violation[] => {
          const problem = broken(workload, container);
          return problem
            ? [{ resource: workload.resource, message: `container ${container.name}: ${problem}` }]
            : [];
        }),
      ),
  };
}

export const runAsNonRoot = containerRule(
  'workloads.run-as-non-root',
  'Every container runs as non-root (runAsNonRoot true, and no runAsUser 0).',
  'set security_context { run_as_non_root = true, run_as_user = <numeric non-root uid> } on the pod or container',
  (w, c) => {
    if (!isTrue(effective(w, c, 'run_as_non_root'))) return 'run_as_non_root is not true';
    if (String(effective(w, c, 'run_as_user')) === '0') return 'run_as_user is 0 (root)';
    return undefined;
  },
);

export const readOnlyRootFilesystem = containerRule(
  'workloads.read-only-root-filesystem',
  'Every container has a read-only root filesystem.',
  'set security_context { read_only_root_filesystem = true } on the container; mount an emptyDir where it must write',
  (_w, c) =>
    isTrue(block(c.security_context).read_only_root_filesystem) ? undefined : 'root filesystem is writable',
);

export const noPrivilegeEscalation = containerRule(
  'workloads.no-privilege-escalation',
  'No container is privileged or may escalate privileges.',
  'set security_context { allow_privilege_escalation = false, privileged = false } on the container',
  (_w, c) => {
    const context = block(c.security_context);
    if (isTrue(context.privileged)) return 'privileged';
    return isFalse(context.allow_privilege_escalation)
      ? undefined
      : 'allow_privilege_escalation is not false';
  },
);

export const dropAllCapabilities = containerRule(
  'workloads.drop-all-capabilities',
  'Every container drops ALL Linux capabilities (and adds none but NET_BIND_SERVICE).',
  'set security_context { capabilities { drop = ["ALL"] } } on the container',
  (_w, c) => {
    const capabilities = block(block(c.security_context).capabilities);
    if (!strings(capabilities.drop).includes('ALL')) return 'capabilities are not all dropped';
    const added = strings(capabilities.add).filter((cap) => cap !== 'NET_BIND_SERVICE');
    return added.length > 0 ? `adds capabilities ${added.join(', ')}` : undefined;
  },
);

export const seccompRuntimeDefault = containerRule(
  'workloads.seccomp-runtime-default',
  'Every container runs with the RuntimeDefault (or a Localhost) seccomp profile.',
  'set security_context { seccomp_profile { type = "RuntimeDefault" } } on the pod or container',
  (w, c) => {
    const profile = block(effective(w, c, 'seccomp_profile')).type;
    return profile === 'RuntimeDefault' || profile === 'Localhost'
      ? undefined
      : 'no RuntimeDefault seccomp profile';
  },
);

export const requestsAndLimits = containerRule(
  'workloads.requests-and-limits',
  'Every container sets CPU and memory requests and limits.',
  'set resources { requests = { cpu, memory }, limits = { cpu, memory } } on the container',
  (_w, c) => {
    const resources = block(c.resources);
    const missing = ['requests', 'limits'].flatMap((kind) =>
      ['cpu', 'memory'].filter((r) => resources[kind]?.[r] === undefined).map((r) => `${kind}.${r}`),
    );
    return missing.length > 0 ? `no ${missing.join(', ')}` : undefined;
  },
);

export const noServiceAccountToken: Rule = {
  id: 'workloads.no-service-account-token',
  family: 'workloads',
  description: 'Pods mount no Kubernetes service account token (the server calls no Kubernetes API).',
  fix: 'set automount_service_account_token = false on the pod spec (exempt the workload with a reason if it calls the Kubernetes API)',
  check: (stack) =>
    workloads(stack)
      .filter((w) => !isFalse(w.pod.automount_service_account_token))
      .map((w) => ({ resource: w.resource, message: 'the service account token is mounted' })),
};

const NETWORK_POLICY_TYPES = ['kubernetes_network_policy_v1', 'kubernetes_network_policy'];

export const networkPolicyPerNamespace: Rule = {
  id: 'workloads.network-policy-per-namespace',
  family: 'workloads',
  description: 'Every namespace that runs a workload of the stack has a NetworkPolicy of the stack.',
  fix: 'add a kubernetes_network_policy_v1 in the namespace that admits only the ports and sources the workload serves',
  check: (stack) => {
    const covered = new Set(
      stack.resources
        .filter((r) => NETWORK_POLICY_TYPES.includes(r.type))
        .map((r) => String(block(r.config.metadata).namespace ?? 'default')),
    );
    return workloads(stack)
      .filter((w) => !covered.has(String(w.namespace)))
      .map((w) => ({
        resource: w.resource,
        message: `namespace ${String(w.namespace)} has no NetworkPolicy`,
      }));
  },
};

export const WORKLOAD_RULES: readonly Rule[] = [
  runAsNonRoot,
  readOnlyRootFilesystem,
  noPrivilegeEscalation,
  dropAllCapabilities,
  seccompRuntimeDefault,
  requestsAndLimits,
  noServiceAccountToken,
  networkPolicyPerNamespace,
];
