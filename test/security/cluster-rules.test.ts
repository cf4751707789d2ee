import {
  controlPlaneLogging,
  eksSecretsEncryption,
  gkeWorkloadIdentity,
  networkPolicyEnforced,
  noPublicNodeIps,
  restrictedEndpoint,
  servingNamespacesRestricted,
} from '../../src/security/rules/clusters';
import { resources, violations } from './helpers';

const eks = (config: object) => resources({ aws_eks_cluster: { c: { name: 'x', ...config } } });
const gke = (config: object) => resources({ google_container_cluster: { c: { name: 'x', ...config } } });

describe('cluster rules', () => {
  test('control-plane logging off is caught (EKS log types, GKE logging components)', () => {
    expect(violations(controlPlaneLogging, eks({ enabled_cluster_log_types: ['api'] }))).toEqual([
      'aws_eks_cluster.c: control-plane log types audit, authenticator are off',
    ]);
    expect(
      violations(controlPlaneLogging, eks({ enabled_cluster_log_types: ['api', 'audit', 'authenticator'] })),
    ).toEqual([]);
    expect(violations(controlPlaneLogging, gke({ logging_service: 'none' }))).toHaveLength(1);
    expect(
      violations(controlPlaneLogging, gke({ logging_config: { enable_components: ['WORKLOADS'] } })),
    ).toHaveLength(1);
    expect(
      violations(controlPlaneLogging, gke({ logging_config: { enable_components: ['SYSTEM_COMPONENTS'] } })),
    ).toEqual([]);
  });

  test('EKS without KMS secrets encryption is caught', () => {
    expect(violations(eksSecretsEncryption, eks({}))).toEqual([
      'aws_eks_cluster.c: Kubernetes secrets are not encrypted with a KMS key',
    ]);
    expect(
      violations(
        eksSecretsEncryption,
        eks({ encryption_config: { resources: ['secrets'], provider: { key_arn: 'k' } } }),
      ),
    ).toEqual([]);
  });

  test('GKE without Workload Identity, or a node pool exposing node credentials, is caught', () => {
    const json = resources({
      google_container_cluster: { c: {} },
      google_container_node_pool: {
        p: { node_config: { workload_metadata_config: { mode: 'GCE_METADATA' } } },
      },
    });
    expect(violations(gkeWorkloadIdentity, json)).toEqual([
      'google_container_cluster.c: Workload Identity is off',
      'google_container_node_pool.p: node pool does not use the GKE metadata server',
    ]);
  });

  test('public node IPs are caught (GKE private nodes off, EKS public subnet or launch template)', () => {
    expect(
      violations(noPublicNodeIps, gke({ private_cluster_config: { enable_private_nodes: false } })),
    ).toHaveLength(1);
    const json = resources({
      aws_subnet: { pub: { map_public_ip_on_launch: true }, priv: { map_public_ip_on_launch: false } },
      aws_launch_template: { lt: { network_interfaces: [{ associate_public_ip_address: 'true' }] } },
      aws_eks_node_group: {
        n: {
          subnet_ids: [`\${aws_subnet.pub.id}`, `\${aws_subnet.priv.id}`],
          launch_template: { id: `\${aws_launch_template.lt.id}` },
        },
      },
    });
    expect(violations(noPublicNodeIps, json)).toEqual([
      'aws_eks_node_group.n: subnet aws_subnet.pub gives nodes public IPs',
      'aws_eks_node_group.n: launch template aws_launch_template.lt associates public IPs',
    ]);
  });

  test('NetworkPolicy not enforced is caught (GKE without Dataplane V2, EKS vpc-cni without enableNetworkPolicy)', () => {
    expect(violations(networkPolicyEnforced, gke({}))).toHaveLength(1);
    expect(violations(networkPolicyEnforced, gke({ datapath_provider: 'ADVANCED_DATAPATH' }))).toEqual([]);
    const noPolicy = resources({
      aws_eks_cluster: { c: {} },
      aws_eks_addon: { cni: { addon_name: 'vpc-cni', configuration_values: '{}' } },
    });
    expect(violations(networkPolicyEnforced, noPolicy)).toHaveLength(1);
    const withPolicy = resources({
      aws_eks_cluster: { c: {} },
      aws_eks_addon: {
        cni: { addon_name: 'vpc-cni', configuration_values: '{"enableNetworkPolicy":"true"}' },
      },
    });
    expect(violations(networkPolicyEnforced, withPolicy)).toEqual([]);
  });

  test('a control-plane endpoint open to any address is caught; private, listed CIDRs or DNS-only pass', () => {
    expect(
      violations(restrictedEndpoint, eks({ vpc_config: { endpoint_public_access: true } })),
    ).toHaveLength(1);
    expect(
      violations(
        restrictedEndpoint,
        eks({ vpc_config: { endpoint_public_access: true, public_access_cidrs: ['0.0.0.0/0'] } }),
      ),
    ).toHaveLength(1);
    expect(
      violations(
        restrictedEndpoint,
        eks({ vpc_config: { endpoint_public_access: true, public_access_cidrs: ['203.0.113.7/32'] } }),
      ),
    ).toEqual([]);
    expect(violations(restrictedEndpoint, eks({ vpc_config: { endpoint_public_access: false } }))).toEqual(
      [],
    );

    expect(violations(restrictedEndpoint, gke({}))).toEqual([
      'google_container_cluster.c: no master authorized networks: the public endpoint accepts any address',
    ]);
    expect(
      violations(
        restrictedEndpoint,
        gke({ master_authorized_networks_config: { cidr_blocks: [{ cidr_block: '0.0.0.0/0' }] } }),
      ),
    ).toHaveLength(1);
    expect(
      violations(
        restrictedEndpoint,
        gke({ master_authorized_networks_config: { gcp_public_cidrs_access_enabled: true } }),
      ),
    ).toHaveLength(1);
    expect(
      violations(restrictedEndpoint, gke({ master_authorized_networks_config: { cidr_blocks: [] } })),
    ).toEqual([]);
    expect(
      violations(restrictedEndpoint, gke({ private_cluster_config: { enable_private_endpoint: true } })),
    ).toEqual([]);
    expect(
      violations(
        restrictedEndpoint,
        gke({ control_plane_endpoints_config: { ip_endpoints_config: { enabled: false } } }),
      ),
    ).toEqual([]);
  });

  test('a namespace without the restricted Pod Security label is caught', () => {
    const json = resources({
      kubernetes_namespace_v1: {
        bare: { metadata: { name: 'a', labels: {} } },
        baseline: { metadata: { name: 'b', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } },
        ok: { metadata: { name: 'c', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
      },
    });
    expect(violations(servingNamespacesRestricted, json).map((v) => v.split(':')[0])).toEqual([
      'kubernetes_namespace_v1.bare',
      'kubernetes_namespace_v1.baseline',
    ]);
  });
});
