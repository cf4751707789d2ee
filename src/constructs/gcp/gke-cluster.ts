import { createHash } from 'node:crypto';
import { ContainerCluster } from '@cdktf/provider-google/lib/container-cluster';
import { ContainerNodePool } from '@cdktf/provider-google/lib/container-node-pool';
import { DataGoogleClientConfig } from '@cdktf/provider-google/lib/data-google-client-config';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { Sleep } from '@cdktf/provider-time/lib/sleep';
import { Construct } from 'constructs';
import type { GkeClusterProps } from './gke-cluster-props';
import {
  GKE_KUBE_STATE_COMPONENTS,
  GKE_PODS_RANGE_NAME,
  GKE_SERVICES_RANGE_NAME,
  resolveGkeClusterProps,
  validateGkeClusterProps,
} from './gke-cluster-props';
import { GkeNetwork } from './gke-network';

export * from './gke-cluster-props';

/**
 * APIs the cluster needs; never disabled on destroy, since other stacks of the project may use them.
 * Cloud Resource Manager serves the project-level IAM bindings below; a fresh project has it off.
 */
export const GKE_REQUIRED_APIS: readonly string[] = [
  'cloudresourcemanager.googleapis.com',
  'compute.googleapis.com',
  'container.googleapis.com',
  'iam.googleapis.com',
];

/**
 * Enabling the Kubernetes Engine API creates the GKE service agent asynchronously; a cluster created at
 * once can fail on its missing permissions. terraform-google-modules/project-factory waits 30 s after
 * enabling APIs; this waits twice that.
 */
export const GKE_SERVICE_AGENT_WAIT = '60s';

/**
 * Least-privilege roles of the node service account (GKE's "minimally privileged node service account"
 * guide). Image pulls are granted on the image's repository only (the serving stack does it), not on
 * every repository of the project.
 */
export const GKE_NODE_ROLES: readonly string[] = [
  'roles/logging.logWriter',
  'roles/monitoring.metricWriter',
  'roles/monitoring.viewer',
  'roles/stackdriver.resourceMetadata.writer',
];

/** Access is governed by the service account's IAM roles, not by scopes (Google's recommendation). */
const NODE_OAUTH_SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];
const NODE_IMAGE_TYPE = 'COS_CONTAINERD';
const NODE_DISK_TYPE = 'pd-balanced';
/** One extra node at a time, none taken away before its replacement is up. */
const NODE_MAX_SURGE = 1;
const NODE_MAX_UNAVAILABLE = 0;
/** The node pool's name inside the cluster (node pool names are per cluster). */
const NODE_POOL_NAME = 'primary';

/** Google service account ids are 6-30 characters; cluster names up to 40. */
const SERVICE_ACCOUNT_ID_MAX_LENGTH = 30;
const NODE_ACCOUNT_SUFFIX = '-nodes';
/** 24 bits of SHA-256: a collision among clusters of one project sharing a prefix is vanishingly unlikely. */
const NODE_ACCOUNT_HASH_LENGTH = 6;

/**
 * Id of the node service account of cluster `clusterName`: `<name>-nodes` when it fits in 30 characters
 * (names up to 24), else the name's start + `-nodes-` + the first hex digits of the SHA-256 of the whole
 * name, so long names that share a prefix still get different ids. Deterministic: the same name always
 * gives the same id. The two forms never meet: one ends in `nodes`, the other in hex digits.
 */
export function gkeNodeServiceAccountId(clusterName: string): string {
  const plain = `${clusterName}${NODE_ACCOUNT_SUFFIX}`;
  if (plain.length <= SERVICE_ACCOUNT_ID_MAX_LENGTH) return plain;
  const hash = createHash('sha256').update(clusterName).digest('hex').slice(0, NODE_ACCOUNT_HASH_LENGTH);
  const prefixLength =
    SERVICE_ACCOUNT_ID_MAX_LENGTH - NODE_ACCOUNT_SUFFIX.length - 1 - NODE_ACCOUNT_HASH_LENGTH;
  // A cut that ends in '-' would double the hyphen before the suffix.
  const prefix = clusterName.slice(0, prefixLength).replace(/-+$/, '');
  return `${prefix}${NODE_ACCOUNT_SUFFIX}-${hash}`;
}

/**
 * A VPC-native private GKE Standard cluster as terraform-google-modules/kubernetes-engine builds it by
 * default: its own network with Cloud NAT, Dataplane V2 (which enforces NetworkPolicy), Workload Identity,
 * shielded nodes, a release channel, and a separately managed autoscaling node pool whose nodes run as a
 * least-privilege service account. Needs a `GoogleProvider` and a `TimeProvider` in the stack.
 */
export class GkeCluster extends Construct {
  /** The cluster's name (the literal from props, so using it elsewhere creates no cross-stack reference). */
  readonly clusterName: string;
  /** Region or zone of the cluster. */
  readonly location: string;
  readonly projectId: string;
  /** IP address of the control plane (public unless `privateEndpoint`). */
  readonly endpoint: string;
  /** Base64 PEM of the cluster's certificate authority. */
  readonly clusterCaCertificate: string;
  readonly networkName: string;
  readonly subnetworkName: string;
  readonly nodeServiceAccountEmail: string;
  /** Workload Identity pool, `<project>.svc.id.goog`: the member prefix for Kubernetes service accounts. */
  readonly workloadPool: string;
  readonly cluster: ContainerCluster;
  readonly nodePool: ContainerNodePool;

  constructor(scope: Construct, id: string, props: GkeClusterProps) {
    super(scope, id);
    const p = resolveGkeClusterProps(props);
    validateGkeClusterProps(id, p);
    const name = p.clusterName;

    const client =
      p.projectId === undefined || p.region === undefined
        ? new DataGoogleClientConfig(this, 'client')
        : undefined;
    const projectId = p.projectId ?? client!.project;
    const region = p.region ?? client!.region;
    this.clusterName = name;
    this.projectId = projectId;
    this.location = p.location ?? region;
    this.workloadPool = `${projectId}.svc.id.goog`;

    const apis = Object.fromEntries(
      GKE_REQUIRED_APIS.map((api) => [
        api,
        new ProjectService(this, `api-${api.split('.')[0]}`, {
          project: projectId,
          service: api,
          disableOnDestroy: false,
          disableDependentServices: false,
        }),
      ]),
    );

    // Needs a TimeProvider in the stack.
    const serviceAgentReady = new Sleep(this, 'wait-for-service-agent', {
      createDuration: GKE_SERVICE_AGENT_WAIT,
      dependsOn: [apis['container.googleapis.com']!],
    });

    const network = new GkeNetwork(this, 'network', {
      name,
      projectId,
      region,
      subnetCidr: p.subnetCidr,
      podsCidr: p.podsCidr,
      podsRangeName: GKE_PODS_RANGE_NAME,
      servicesCidr: p.servicesCidr,
      servicesRangeName: GKE_SERVICES_RANGE_NAME,
      dependsOn: [apis['compute.googleapis.com']!],
    });
    this.networkName = network.networkName;
    this.subnetworkName = network.subnetworkName;

    const nodeAccount = new ServiceAccount(this, 'node-service-account', {
      project: projectId,
      accountId: gkeNodeServiceAccountId(name),
      displayName: `GKE nodes of ${name}`,
      dependsOn: [apis['iam.googleapis.com']!],
    });
    this.nodeServiceAccountEmail = nodeAccount.email;
    const nodeRoles = GKE_NODE_ROLES.map(
      (role) =>
        new ProjectIamMember(this, `node-${role.replace('roles/', '').replace(/\./g, '-')}`, {
          project: projectId,
          role,
          member: nodeAccount.member,
          dependsOn: [apis['cloudresourcemanager.googleapis.com']!],
        }),
    );

    const nodeSecurity = {
      serviceAccount: nodeAccount.email,
      oauthScopes: NODE_OAUTH_SCOPES,
      shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
      // Pods see the GKE metadata server (Workload Identity), not the node's credentials.
      workloadMetadataConfig: { mode: 'GKE_METADATA' },
    };

    this.cluster = new ContainerCluster(this, 'cluster', {
      name,
      project: projectId,
      location: this.location,
      network: network.networkSelfLink,
      subnetwork: network.subnetworkSelfLink,
      // GKE must create a default pool; it is removed at once and the pool below is managed on its own.
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      // Without this the short-lived default pool would run as the Compute Engine default service account.
      nodeConfig: nodeSecurity,
      networkingMode: 'VPC_NATIVE',
      ipAllocationPolicy: {
        clusterSecondaryRangeName: GKE_PODS_RANGE_NAME,
        servicesSecondaryRangeName: GKE_SERVICES_RANGE_NAME,
      },
      releaseChannel: { channel: p.releaseChannel },
      // Installs the Gateway API CRDs and GKE's GatewayClasses (gke-l7-global-external-managed, …), which
      // serving's TLS Gateways need; HTTP load balancing, the controller behind them, is on by default.
      gatewayApiConfig: { channel: 'CHANNEL_STANDARD' },
      workloadIdentityConfig: { workloadPool: this.workloadPool },
      enableShieldedNodes: true,
      // Dataplane V2 enforces NetworkPolicy itself; a network_policy block would ask for Calico.
      datapathProvider: 'ADVANCED_DATAPATH',
      privateClusterConfig: {
        enablePrivateNodes: true,
        enablePrivateEndpoint: p.privateEndpoint,
        masterIpv4CidrBlock: p.masterIpv4CidrBlock,
      },
      // Always on: without it the public endpoint takes any address; with no blocks listed only the VPC
      // (nodes, the private endpoint) reaches the control plane.
      masterAuthorizedNetworksConfig: {
        gcpPublicCidrsAccessEnabled: false,
        cidrBlocks: (p.masterAuthorizedNetworks ?? []).map((n) => ({
          cidrBlock: n.cidrBlock,
          displayName: n.displayName ?? n.cidrBlock,
        })),
      },
      loggingConfig: { enableComponents: ['SYSTEM_COMPONENTS', 'WORKLOADS'] },
      monitoringConfig: {
        enableComponents: ['SYSTEM_COMPONENTS', ...(p.kubeStateMetrics ? GKE_KUBE_STATE_COMPONENTS : [])],
        managedPrometheus: { enabled: true },
      },
      deletionProtection: p.deletionProtection,
      lifecycle: {
        // They describe the removed default pool; GKE reports them differently afterwards.
        ignoreChanges: ['node_config', 'initial_node_count'],
      },
      dependsOn: [serviceAgentReady],
    });
    this.endpoint = this.cluster.endpoint;
    this.clusterCaCertificate = this.cluster.masterAuth.clusterCaCertificate;

    this.nodePool = new ContainerNodePool(this, 'nodes', {
      name: NODE_POOL_NAME,
      project: projectId,
      location: this.location,
      cluster: this.cluster.name,
      nodeLocations: p.nodeLocations,
      initialNodeCount: Math.max(p.nodeMinCountPerZone, 1),
      autoscaling: { minNodeCount: p.nodeMinCountPerZone, maxNodeCount: p.nodeMaxCountPerZone },
      management: { autoRepair: true, autoUpgrade: true },
      upgradeSettings: { strategy: 'SURGE', maxSurge: NODE_MAX_SURGE, maxUnavailable: NODE_MAX_UNAVAILABLE },
      nodeConfig: {
        ...nodeSecurity,
        machineType: p.machineType,
        diskSizeGb: p.diskSizeInGb,
        diskType: NODE_DISK_TYPE,
        imageType: NODE_IMAGE_TYPE,
        spot: p.spot,
        metadata: { 'disable-legacy-endpoints': 'true' },
      },
      lifecycle: {
        // The autoscaler owns the node count; changing the initial count would recreate the pool.
        ignoreChanges: ['initial_node_count'],
      },
      // Nodes write logs and pull images (through NAT for registries outside Google) from their first boot.
      dependsOn: [...nodeRoles, network.nat],
    });
  }
}
