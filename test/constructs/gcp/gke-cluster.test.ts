import { Testing } from 'cdktf';
import {
  GkeCluster,
  type GkeClusterProps,
  gkeNodeServiceAccountId,
} from '../../../src/constructs/gcp/gke-cluster';

type Resource = Record<string, unknown> & { depends_on?: string[] };
interface Synth {
  resource: Record<string, Record<string, Resource>>;
  data?: Record<string, Record<string, Resource>>;
}

let construct: GkeCluster | undefined;
function synth(props: Partial<GkeClusterProps> = {}): Synth {
  return JSON.parse(
    Testing.synthScope((scope) => {
      construct = new GkeCluster(scope, 'gke', {
        clusterName: 'demo',
        projectId: 'my-project',
        region: 'europe-west1',
        ...props,
      });
    }),
  ) as Synth;
}

function all(s: Synth, type: string): Record<string, Resource> {
  return s.resource[type] ?? {};
}

function only(s: Synth, type: string): [string, Resource] {
  const entries = Object.entries(all(s, type));
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

describe('GkeCluster', () => {
  const s = synth();
  const [, cluster] = only(s, 'google_container_cluster');
  const [, pool] = only(s, 'google_container_node_pool');
  const [accountId, account] = only(s, 'google_service_account');
  const accountEmail = `\${google_service_account.${accountId}.email}`;

  test('Dataplane V2 enforces NetworkPolicy, with no Calico network_policy block', () => {
    expect(cluster.datapath_provider).toBe('ADVANCED_DATAPATH');
    expect(cluster.network_policy).toBeUndefined();
  });

  test('Workload Identity pool of the project, and GKE_METADATA on the nodes', () => {
    expect(cluster.workload_identity_config).toEqual({ workload_pool: 'my-project.svc.id.goog' });
    expect(construct!.workloadPool).toBe('my-project.svc.id.goog');
    expect(pool.node_config).toMatchObject({ workload_metadata_config: { mode: 'GKE_METADATA' } });
  });

  test('private nodes, public endpoint kept, VPC-native with the named secondary ranges', () => {
    expect(cluster.private_cluster_config).toEqual({
      enable_private_nodes: true,
      enable_private_endpoint: false,
      master_ipv4_cidr_block: '172.16.0.0/28',
    });
    expect(cluster.networking_mode).toBe('VPC_NATIVE');
    expect(cluster.ip_allocation_policy).toEqual({
      cluster_secondary_range_name: 'pods',
      services_secondary_range_name: 'services',
    });
    // Authorized networks always on: with none listed, no external address reaches the public endpoint.
    expect(cluster.master_authorized_networks_config).toEqual({
      cidr_blocks: [],
      gcp_public_cidrs_access_enabled: false,
    });
  });

  test('shielded nodes with secure boot, on the cluster and the pool', () => {
    expect(cluster.enable_shielded_nodes).toBe(true);
    expect(pool.node_config).toMatchObject({
      shielded_instance_config: { enable_secure_boot: true, enable_integrity_monitoring: true },
    });
  });

  test('the default pool is removed and the managed pool autoscales, repairs and upgrades itself', () => {
    expect(cluster.remove_default_node_pool).toBe(true);
    expect(cluster.initial_node_count).toBe(1);
    expect(pool.autoscaling).toEqual({ min_node_count: 1, max_node_count: 2 });
    expect(pool.management).toEqual({ auto_repair: true, auto_upgrade: true });
    expect(pool.node_config).toMatchObject({
      machine_type: 'e2-standard-2',
      disk_size_gb: 50,
      spot: false,
      oauth_scopes: ['https://www.googleapis.com/auth/cloud-platform'],
    });
  });

  test('every node, even of the short-lived default pool, runs as the dedicated service account', () => {
    expect(account.account_id).toBe('demo-nodes');
    expect((pool.node_config as Record<string, unknown>).service_account).toBe(accountEmail);
    expect((cluster.node_config as Record<string, unknown>).service_account).toBe(accountEmail);
  });

  test('the node service account gets exactly the least-privilege roles; image pulls are not project-wide', () => {
    const members = Object.entries(all(s, 'google_project_iam_member'));
    // roles/artifactregistry.reader is granted on the image's repository by the serving stack instead.
    expect(members.map(([, m]) => m.role).sort()).toEqual(
      [
        'roles/logging.logWriter',
        'roles/monitoring.metricWriter',
        'roles/monitoring.viewer',
        'roles/stackdriver.resourceMetadata.writer',
      ].sort(),
    );
    const [resourceManager] = Object.entries(all(s, 'google_project_service')).find(
      ([, x]) => x.service === 'cloudresourcemanager.googleapis.com',
    )!;
    for (const [id, member] of members) {
      expect(member.depends_on).toEqual([`google_project_service.${resourceManager}`]);
      expect(member.member).toBe(`\${google_service_account.${accountId}.member}`);
      expect(member.project).toBe('my-project');
      expect(pool.depends_on).toContain(`google_project_iam_member.${id}`);
    }
  });

  test('subnetwork with Private Google Access and the pods/services secondary ranges', () => {
    const [, subnet] = only(s, 'google_compute_subnetwork');
    expect(subnet.private_ip_google_access).toBe(true);
    expect(subnet.ip_cidr_range).toBe('10.0.0.0/20');
    expect(subnet.region).toBe('europe-west1');
    expect(subnet.secondary_ip_range).toEqual([
      { range_name: 'pods', ip_cidr_range: '10.4.0.0/14' },
      { range_name: 'services', ip_cidr_range: '10.8.0.0/20' },
    ]);
    const [, network] = only(s, 'google_compute_network');
    expect(network.auto_create_subnetworks).toBe(false);
  });

  test('Cloud NAT on a Cloud Router for every subnetwork range, and the pool waits for it', () => {
    const [routerId] = only(s, 'google_compute_router');
    const [natId, nat] = only(s, 'google_compute_router_nat');
    expect(nat.router).toBe(`\${google_compute_router.${routerId}.name}`);
    expect(nat.source_subnetwork_ip_ranges_to_nat).toBe('ALL_SUBNETWORKS_ALL_IP_RANGES');
    expect(pool.depends_on).toContain(`google_compute_router_nat.${natId}`);
  });

  test('deletion protection off by default, on when asked', () => {
    expect(cluster.deletion_protection).toBe(false);
    const [, kept] = only(synth({ deletionProtection: true }), 'google_container_cluster');
    expect(kept.deletion_protection).toBe(true);
  });

  test('release channel, Gateway API, logging and monitoring', () => {
    expect(cluster.release_channel).toEqual({ channel: 'REGULAR' });
    // The TLS Gateways of gke-serving need the Gateway API CRDs and GKE's GatewayClasses.
    expect(cluster.gateway_api_config).toEqual({ channel: 'CHANNEL_STANDARD' });
    expect(cluster.logging_config).toEqual({ enable_components: ['SYSTEM_COMPONENTS', 'WORKLOADS'] });
    expect(cluster.monitoring_config).toMatchObject({ enable_components: ['SYSTEM_COMPONENTS'] });
  });

  test('enables the APIs it needs (Cloud Resource Manager too) and never disables them on destroy', () => {
    const services = Object.entries(all(s, 'google_project_service'));
    expect(services.map(([, x]) => x.service).sort()).toEqual(
      [
        'cloudresourcemanager.googleapis.com',
        'compute.googleapis.com',
        'container.googleapis.com',
        'iam.googleapis.com',
      ].sort(),
    );
    for (const [, service] of services) {
      expect(service.disable_on_destroy).toBe(false);
    }
  });

  test('the cluster waits 60 s after the Kubernetes Engine API for the GKE service agent', () => {
    const services = Object.entries(all(s, 'google_project_service'));
    const container = services.find(([, x]) => x.service === 'container.googleapis.com')![0];
    const [sleepId, sleep] = only(s, 'time_sleep');
    expect(sleep.create_duration).toBe('60s');
    expect(sleep.depends_on).toEqual([`google_project_service.${container}`]);
    expect(cluster.depends_on).toEqual([`time_sleep.${sleepId}`]);
  });

  test('authorized networks, private endpoint, spot, zonal location and node zones come from props', () => {
    const custom = synth({
      masterAuthorizedNetworks: [
        { cidrBlock: '203.0.113.7/32', displayName: 'office' },
        { cidrBlock: '198.51.100.0/24' },
      ],
      privateEndpoint: true,
      spot: true,
      location: 'europe-west1-b',
      nodeLocations: ['europe-west1-b', 'europe-west1-c'],
      nodeMinCountPerZone: 0,
      nodeMaxCountPerZone: 4,
    });
    const [, c] = only(custom, 'google_container_cluster');
    const [, p] = only(custom, 'google_container_node_pool');
    expect(c.master_authorized_networks_config).toEqual({
      cidr_blocks: [
        { cidr_block: '203.0.113.7/32', display_name: 'office' },
        { cidr_block: '198.51.100.0/24', display_name: '198.51.100.0/24' },
      ],
      gcp_public_cidrs_access_enabled: false,
    });
    expect(c.private_cluster_config).toMatchObject({ enable_private_endpoint: true });
    expect(c.location).toBe('europe-west1-b');
    expect(p.location).toBe('europe-west1-b');
    expect(p.node_locations).toEqual(['europe-west1-b', 'europe-west1-c']);
    expect(p.node_config).toMatchObject({ spot: true });
    expect(p.autoscaling).toEqual({ min_node_count: 0, max_node_count: 4 });
    // A pool must start with a node even when it may scale to zero.
    expect(p.initial_node_count).toBe(1);
    expect(only(custom, 'google_compute_subnetwork')[1].region).toBe('europe-west1');
  });

  test("without projectId and region it uses the provider's, read from google_client_config", () => {
    const fromProvider = JSON.parse(
      Testing.synthScope((scope) => {
        construct = new GkeCluster(scope, 'gke', { clusterName: 'demo' });
      }),
    ) as Synth;
    const [clientId] = Object.keys(fromProvider.data?.google_client_config ?? {});
    expect(clientId).toBeDefined();
    const [, c] = only(fromProvider, 'google_container_cluster');
    expect(c.workload_identity_config).toEqual({
      workload_pool: `\${data.google_client_config.${clientId}.project}.svc.id.goog`,
    });
    expect(c.location).toBe(`\${data.google_client_config.${clientId}.region}`);
    expect(s.data?.google_client_config).toBeUndefined();
  });

  describe('node service account id', () => {
    /** Google's account_id rule. */
    const VALID_ID = /^[a-z]([-a-z0-9]*[a-z0-9])$/;
    const idOf = (clusterName: string) =>
      only(synth({ clusterName }), 'google_service_account')[1].account_id as string;

    test('a name of up to 24 characters keeps the plain <name>-nodes id', () => {
      expect(idOf('abcdefghijklmnopqrstuvwx')).toBe('abcdefghijklmnopqrstuvwx-nodes');
      expect(gkeNodeServiceAccountId('a')).toBe('a-nodes');
    });

    test('two long names sharing their first 24 characters get different valid ids', () => {
      const shared = 'model-serving-production-';
      const first = idOf(`${shared}europe-west1`);
      const second = idOf(`${shared}europe-west4`);
      expect(first).not.toBe(second);
      for (const id of [first, second]) {
        expect(id.length).toBeGreaterThanOrEqual(6);
        expect(id.length).toBeLessThanOrEqual(30);
        expect(id).toMatch(VALID_ID);
        expect(id).toMatch(/^model-serving-pro-nodes-[0-9a-f]{6}$/);
      }
    });

    test('the id is deterministic: the same name gives the same id on every synth', () => {
      const name = 'model-serving-production-europe-west1';
      expect(idOf(name)).toBe(idOf(name));
      expect(gkeNodeServiceAccountId(name)).toBe(idOf(name));
    });

    test('a cut that ends in a hyphen does not double it', () => {
      // The first 17 characters end with '-'.
      const id = idOf('abcdefghijklmnop-qrstuvwxyz-and-more');
      expect(id).toMatch(/^abcdefghijklmnop-nodes-[0-9a-f]{6}$/);
      expect(id).not.toMatch(/--/);
    });

    test('every length from 1 to 40 gives a valid id', () => {
      for (let length = 1; length <= 40; length++) {
        const id = gkeNodeServiceAccountId('a'.repeat(length));
        expect(id.length).toBeGreaterThanOrEqual(6);
        expect(id.length).toBeLessThanOrEqual(30);
        expect(id).toMatch(VALID_ID);
      }
    });
  });

  test('handles', () => {
    synth();
    const c = construct!;
    expect(c.clusterName).toBe('demo');
    expect(c.location).toBe('europe-west1');
    expect(c.projectId).toBe('my-project');
    for (const token of [c.endpoint, c.networkName, c.subnetworkName, c.nodeServiceAccountEmail]) {
      expect(token).toMatch(/^\$\{TfToken\[/);
    }
  });
});
