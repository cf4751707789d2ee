import type { Rule, Violation } from '../finding';
import { ANY_ADDRESS, block, blocks, isFalse, isTrue, ofType, referenced, strings } from '../json';

/** EKS control-plane log types that record who did what (terraform-aws-eks enables the same three). */
export const REQUIRED_EKS_LOG_TYPES = ['api', 'audit', 'authenticator'];

export const controlPlaneLogging: Rule = {
  id: 'clusters.control-plane-logging',
  family: 'clusters',
  description: `EKS sends the ${REQUIRED_EKS_LOG_TYPES.join(', ')} control-plane logs to CloudWatch; GKE keeps system component logging on.`,
  fix: `EKS: enabled_cluster_log_types including ${REQUIRED_EKS_LOG_TYPES.join(', ')}; GKE: logging_config { enable_components = ["SYSTEM_COMPONENTS", …] } and no logging_service "none"`,
  check: (stack) => [
    ...ofType(stack, 'aws_eks_cluster').flatMap((resource) => {
      const missing = REQUIRED_EKS_LOG_TYPES.filter(
        (t) => !strings(resource.config.enabled_cluster_log_types).includes(t),
      );
      return missing.length > 0
        ? [{ resource, message: `control-plane log types ${missing.join(', ')} are off` }]
        : [];
    }),
    ...ofType(stack, 'google_container_cluster').flatMap((resource) => {
      const components = strings(block(resource.config.logging_config).enable_components);
      const off =
        resource.config.logging_service === 'none' ||
        (resource.config.logging_config !== undefined && !components.includes('SYSTEM_COMPONENTS'));
      return off ? [{ resource, message: 'system component logging is off' }] : [];
    }),
  ],
};

export const eksSecretsEncryption: Rule = {
  id: 'clusters.eks-secrets-encryption',
  family: 'clusters',
  description: 'EKS encrypts Kubernetes secrets with a KMS key (envelope encryption).',
  fix: 'set encryption_config { resources = ["secrets"], provider { key_arn = <KMS key ARN> } }',
  check: (stack) =>
    ofType(stack, 'aws_eks_cluster')
      .filter(
        (r) =>
          !blocks(r.config.encryption_config).some(
            (e) => strings(e.resources).includes('secrets') && typeof block(e.provider).key_arn === 'string',
          ),
      )
      .map((resource) => ({ resource, message: 'Kubernetes secrets are not encrypted with a KMS key' })),
};

export const gkeWorkloadIdentity: Rule = {
  id: 'clusters.gke-workload-identity',
  family: 'clusters',
  description:
    'GKE clusters enable Workload Identity and every node pool hides the node credentials (GKE_METADATA).',
  fix: 'set workload_identity_config { workload_pool = "<project>.svc.id.goog" } on the cluster and node_config { workload_metadata_config { mode = "GKE_METADATA" } } on each node pool',
  check: (stack) => [
    ...ofType(stack, 'google_container_cluster')
      .filter((r) => typeof block(r.config.workload_identity_config).workload_pool !== 'string')
      .map((resource) => ({ resource, message: 'Workload Identity is off' })),
    ...ofType(stack, 'google_container_node_pool')
      .filter((r) => block(block(r.config.node_config).workload_metadata_config).mode !== 'GKE_METADATA')
      .map((resource) => ({ resource, message: 'node pool does not use the GKE metadata server' })),
  ],
};

export const noPublicNodeIps: Rule = {
  id: 'clusters.no-public-node-ips',
  family: 'clusters',
  description: 'Cluster nodes get no public IP addresses.',
  fix: 'GKE: private_cluster_config { enable_private_nodes = true }; EKS: put node groups in private subnets (map_public_ip_on_launch false) and give launch templates no associate_public_ip_address',
  check: (stack) => {
    const violations: Violation[] = [];
    for (const resource of ofType(stack, 'google_container_cluster')) {
      if (!isTrue(block(resource.config.private_cluster_config).enable_private_nodes)) {
        violations.push({ resource, message: 'nodes are not private (enable_private_nodes is not true)' });
      }
    }
    for (const resource of ofType(stack, 'google_container_node_pool')) {
      if (isFalse(block(resource.config.network_config).enable_private_nodes)) {
        violations.push({ resource, message: 'node pool turns private nodes off' });
      }
    }
    for (const resource of ofType(stack, 'aws_eks_node_group')) {
      for (const subnetId of strings(resource.config.subnet_ids)) {
        const subnet = referenced(stack, subnetId);
        if (subnet?.type === 'aws_subnet' && isTrue(subnet.config.map_public_ip_on_launch)) {
          violations.push({ resource, message: `subnet ${subnet.address} gives nodes public IPs` });
        }
      }
      const template = referenced(stack, block(resource.config.launch_template).id);
      if (
        template &&
        blocks(template.config.network_interfaces).some((n) => isTrue(n.associate_public_ip_address))
      ) {
        violations.push({ resource, message: `launch template ${template.address} associates public IPs` });
      }
    }
    return violations;
  },
};

export const networkPolicyEnforced: Rule = {
  id: 'clusters.network-policy-enforced',
  family: 'clusters',
  description:
    'The cluster enforces NetworkPolicy: GKE Dataplane V2 (or the network policy add-on); on EKS the vpc-cni add-on with enableNetworkPolicy.',
  fix: 'GKE: datapath_provider = "ADVANCED_DATAPATH"; EKS: an aws_eks_addon "vpc-cni" with configuration_values {"enableNetworkPolicy": "true"}',
  check: (stack) => {
    const violations: Violation[] = [];
    for (const resource of ofType(stack, 'google_container_cluster')) {
      const dataplaneV2 = resource.config.datapath_provider === 'ADVANCED_DATAPATH';
      const calico = isTrue(block(resource.config.network_policy).enabled);
      if (!dataplaneV2 && !calico) violations.push({ resource, message: 'NetworkPolicy is not enforced' });
    }
    const vpcCni = ofType(stack, 'aws_eks_addon').filter((a) => a.config.addon_name === 'vpc-cni');
    for (const resource of ofType(stack, 'aws_eks_cluster')) {
      const enforced = vpcCni.some((addon) => {
        try {
          const values = JSON.parse(String(addon.config.configuration_values ?? '{}'));
          return isTrue(values.enableNetworkPolicy);
        } catch {
          return false;
        }
      });
      if (!enforced) {
        violations.push({
          resource,
          message: 'no vpc-cni add-on with enableNetworkPolicy: NetworkPolicy is not enforced',
        });
      }
    }
    return violations;
  },
};

export const restrictedEndpoint: Rule = {
  id: 'clusters.restricted-control-plane-endpoint',
  family: 'clusters',
  description:
    'The Kubernetes API is private, open only to listed CIDR blocks (never 0.0.0.0/0), or reachable only through the IAM-gated DNS endpoint (GKE).',
  fix: 'EKS: endpointPublicAccess false, or publicAccessCidrs listing your networks (eks.publicAccessCidrs); GKE: masterAuthorizedNetworks listing your networks, a private endpoint, or the DNS-based endpoint with IP endpoints off',
  check: (stack) => {
    const violations: Violation[] = [];
    for (const resource of ofType(stack, 'aws_eks_cluster')) {
      const vpc = block(resource.config.vpc_config);
      // The provider's default for endpoint_public_access is true.
      if (isFalse(vpc.endpoint_public_access)) continue;
      const cidrs = strings(vpc.public_access_cidrs);
      if (cidrs.length === 0 || cidrs.some((c) => ANY_ADDRESS.includes(c))) {
        violations.push({ resource, message: 'the public API endpoint accepts any address (0.0.0.0/0)' });
      }
    }
    for (const resource of ofType(stack, 'google_container_cluster')) {
      const config = resource.config;
      if (isTrue(block(config.private_cluster_config).enable_private_endpoint)) continue;
      if (isFalse(block(block(config.control_plane_endpoints_config).ip_endpoints_config).enabled)) continue;
      const networks = block(config.master_authorized_networks_config);
      if (config.master_authorized_networks_config === undefined) {
        violations.push({
          resource,
          message: 'no master authorized networks: the public endpoint accepts any address',
        });
        continue;
      }
      if (isTrue(networks.gcp_public_cidrs_access_enabled)) {
        violations.push({
          resource,
          message: 'any Google Cloud public IP may reach the endpoint (gcp_public_cidrs_access_enabled)',
        });
      }
      const cidrs = blocks(networks.cidr_blocks).map((b) => String(b.cidr_block));
      if (cidrs.some((c) => ANY_ADDRESS.includes(c))) {
        violations.push({ resource, message: 'master authorized networks include 0.0.0.0/0' });
      }
    }
    return violations;
  },
};

/** Pod Security Standard label that makes the API server itself refuse non-restricted pods. */
export const PSS_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

export const servingNamespacesRestricted: Rule = {
  id: 'clusters.namespace-pod-security-restricted',
  family: 'clusters',
  description: `Every namespace the stack creates is labelled ${PSS_ENFORCE_LABEL}: restricted, so the cluster enforces the restricted Pod Security Standard.`,
  fix: `add the label ${PSS_ENFORCE_LABEL}: restricted to the namespace's metadata.labels`,
  check: (stack) =>
    ofType(stack, 'kubernetes_namespace_v1', 'kubernetes_namespace')
      .filter((r) => block(r.config.metadata).labels?.[PSS_ENFORCE_LABEL] !== 'restricted')
      .map((resource) => ({
        resource,
        message: `namespace is not labelled ${PSS_ENFORCE_LABEL}: restricted`,
      })),
};

export const CLUSTER_RULES: readonly Rule[] = [
  controlPlaneLogging,
  eksSecretsEncryption,
  gkeWorkloadIdentity,
  noPublicNodeIps,
  networkPolicyEnforced,
  restrictedEndpoint,
  servingNamespacesRestricted,
];
