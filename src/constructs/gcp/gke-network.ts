import { ComputeNetwork } from '@cdktf/provider-google/lib/compute-network';
import { ComputeRouter } from '@cdktf/provider-google/lib/compute-router';
import { ComputeRouterNat } from '@cdktf/provider-google/lib/compute-router-nat';
import { ComputeSubnetwork } from '@cdktf/provider-google/lib/compute-subnetwork';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

export interface GkeNetworkProps {
  /** Names the network, subnetwork, router and NAT. */
  readonly name: string;
  /** @default - the provider's project */
  readonly projectId?: string;
  /** Region of the subnetwork, router and NAT. @default - the provider's region */
  readonly region?: string;
  readonly subnetCidr: string;
  readonly podsCidr: string;
  readonly podsRangeName: string;
  readonly servicesCidr: string;
  readonly servicesRangeName: string;
  /** e.g. the `compute.googleapis.com` service enablement. */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A custom-mode VPC for a VPC-native private GKE cluster: one subnetwork with secondary ranges for Pods
 * and Services and Private Google Access, plus Cloud Router + Cloud NAT so nodes without public IPs can
 * pull images from outside Google.
 */
export class GkeNetwork extends Construct {
  readonly networkName: string;
  readonly networkSelfLink: string;
  readonly subnetworkName: string;
  readonly subnetworkSelfLink: string;
  /** Private nodes reach anything outside Google only through it. */
  readonly nat: ComputeRouterNat;

  constructor(scope: Construct, id: string, props: GkeNetworkProps) {
    super(scope, id);
    const network = new ComputeNetwork(this, 'network', {
      name: props.name,
      project: props.projectId,
      // Auto mode would create a subnet in every region with ranges we do not control.
      autoCreateSubnetworks: false,
      routingMode: 'REGIONAL',
      dependsOn: props.dependsOn,
    });
    const subnetwork = new ComputeSubnetwork(this, 'subnetwork', {
      name: props.name,
      project: props.projectId,
      region: props.region,
      network: network.id,
      ipCidrRange: props.subnetCidr,
      // Private nodes reach Artifact Registry, Cloud Logging and other Google APIs without NAT.
      privateIpGoogleAccess: true,
      secondaryIpRange: [
        { rangeName: props.podsRangeName, ipCidrRange: props.podsCidr },
        { rangeName: props.servicesRangeName, ipCidrRange: props.servicesCidr },
      ],
    });
    const router = new ComputeRouter(this, 'router', {
      name: props.name,
      project: props.projectId,
      region: props.region,
      network: network.id,
    });
    this.nat = new ComputeRouterNat(this, 'nat', {
      name: props.name,
      project: props.projectId,
      region: props.region,
      router: router.name,
      natIpAllocateOption: 'AUTO_ONLY',
      sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES',
      // Errors only: dropped connections (port exhaustion) are what one needs to see; full logs cost.
      logConfig: { enable: true, filter: 'ERRORS_ONLY' },
    });
    this.networkName = network.name;
    this.networkSelfLink = network.selfLink;
    this.subnetworkName = subnetwork.name;
    this.subnetworkSelfLink = subnetwork.selfLink;
  }
}
