import type { Json } from '../../src/security/finding';
import {
  dropAllCapabilities,
  networkPolicyPerNamespace,
  noPrivilegeEscalation,
  noServiceAccountToken,
  readOnlyRootFilesystem,
  requestsAndLimits,
  runAsNonRoot,
  seccompRuntimeDefault,
} from '../../src/security/rules/workloads';
import { resources, violations } from './helpers';

const NS = `\${kubernetes_namespace_v1.ns.metadata[0].name}`;

/** A Deployment that keeps every workload rule, with `change` applied to its pod spec. */
function deployment(change: (pod: Json, container: Json) => void = () => {}): Json {
  const container: Json = {
    name: 'server',
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    security_context: {
      read_only_root_filesystem: true,
      allow_privilege_escalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    },
  };
  const pod: Json = {
    automount_service_account_token: false,
    security_context: {
      run_as_non_root: true,
      run_as_user: '10001',
      seccomp_profile: { type: 'RuntimeDefault' },
    },
    container: [container],
  };
  change(pod, container);
  return resources({
    kubernetes_deployment_v1: {
      d: {
        metadata: { name: 'd', namespace: NS },
        spec: { template: { metadata: { labels: { app: 'd' } }, spec: pod } },
      },
    },
    kubernetes_network_policy_v1: { np: { metadata: { name: 'd', namespace: NS } } },
  });
}

describe('workload rules', () => {
  const all = [
    runAsNonRoot,
    readOnlyRootFilesystem,
    noPrivilegeEscalation,
    dropAllCapabilities,
    seccompRuntimeDefault,
    requestsAndLimits,
    noServiceAccountToken,
    networkPolicyPerNamespace,
  ];

  test('the hardened Deployment passes every workload rule', () => {
    for (const rule of all) expect([rule.id, violations(rule, deployment())]).toEqual([rule.id, []]);
  });

  test('root is caught: run_as_non_root unset, or the container overriding run_as_user to 0', () => {
    expect(
      violations(
        runAsNonRoot,
        deployment((pod) => delete pod.security_context.run_as_non_root),
      ),
    ).toEqual(['kubernetes_deployment_v1.d: container server: run_as_non_root is not true']);
    expect(
      violations(
        runAsNonRoot,
        deployment((_p, c) => (c.security_context.run_as_user = 0)),
      ),
    ).toEqual(['kubernetes_deployment_v1.d: container server: run_as_user is 0 (root)']);
  });

  test('a writable root filesystem is caught', () => {
    const json = deployment((_p, c) => (c.security_context.read_only_root_filesystem = false));
    expect(violations(readOnlyRootFilesystem, json)).toHaveLength(1);
  });

  test('privilege escalation or a privileged container is caught', () => {
    expect(
      violations(
        noPrivilegeEscalation,
        deployment((_p, c) => delete c.security_context.allow_privilege_escalation),
      ),
    ).toEqual(['kubernetes_deployment_v1.d: container server: allow_privilege_escalation is not false']);
    expect(
      violations(
        noPrivilegeEscalation,
        deployment((_p, c) => (c.security_context.privileged = true)),
      ),
    ).toEqual(['kubernetes_deployment_v1.d: container server: privileged']);
  });

  test('capabilities not all dropped, or added back, are caught', () => {
    expect(
      violations(
        dropAllCapabilities,
        deployment((_p, c) => (c.security_context.capabilities = { drop: ['NET_RAW'] })),
      ),
    ).toHaveLength(1);
    expect(
      violations(
        dropAllCapabilities,
        deployment((_p, c) => (c.security_context.capabilities = { drop: ['ALL'], add: ['SYS_ADMIN'] })),
      ),
    ).toEqual(['kubernetes_deployment_v1.d: container server: adds capabilities SYS_ADMIN']);
  });

  test('no RuntimeDefault seccomp profile is caught (the container may also set it itself)', () => {
    expect(
      violations(
        seccompRuntimeDefault,
        deployment((pod) => delete pod.security_context.seccomp_profile),
      ),
    ).toHaveLength(1);
    expect(
      violations(
        seccompRuntimeDefault,
        deployment((pod, c) => {
          delete pod.security_context.seccomp_profile;
          c.security_context.seccomp_profile = { type: 'RuntimeDefault' };
        }),
      ),
    ).toEqual([]);
    expect(
      violations(
        seccompRuntimeDefault,
        deployment((pod) => (pod.security_context.seccomp_profile = { type: 'Unconfined' })),
      ),
    ).toHaveLength(1);
  });

  test('missing requests or limits are caught, init containers included', () => {
    expect(
      violations(
        requestsAndLimits,
        deployment((_p, c) => delete c.resources.limits),
      ),
    ).toEqual(['kubernetes_deployment_v1.d: container server: no limits.cpu, limits.memory']);
    expect(
      violations(
        requestsAndLimits,
        deployment((pod) => (pod.init_container = [{ name: 'init' }])),
      ),
    ).toEqual([
      'kubernetes_deployment_v1.d: container init: no requests.cpu, requests.memory, limits.cpu, limits.memory',
    ]);
  });

  test('a mounted service account token is caught (the Kubernetes default mounts one)', () => {
    expect(
      violations(
        noServiceAccountToken,
        deployment((pod) => delete pod.automount_service_account_token),
      ),
    ).toEqual(['kubernetes_deployment_v1.d: the service account token is mounted']);
  });

  test('a workload in a namespace without a NetworkPolicy of the stack is caught', () => {
    const json = deployment();
    json.resource.kubernetes_network_policy_v1.np.metadata.namespace = 'elsewhere';
    expect(violations(networkPolicyPerNamespace, json)).toEqual([
      `kubernetes_deployment_v1.d: namespace ${NS} has no NetworkPolicy`,
    ]);
  });
});
