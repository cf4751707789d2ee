import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';

export interface ClusterVpcProps {
  /** Names the VPC and its parts (`Name` tags). */
  readonly name: string;
  /** EKS cluster the subnets are tagged for (`kubernetes.io/cluster/<name>`). */
  readonly clusterName: string;
  /** CIDR block of the VPC, /16 to /20. */
  readonly cidr: string;
  /** Number of availability zones (ignored when `availabilityZones` is set). */
  readonly azCount: number;
  /** @default - the first `azCount` zones that need no opt-in and are not in `excludeZoneIds` */
  readonly availabilityZones?: string[];
  /** Zone IDs never picked by the look-up (e.g. zones without EKS capacity). @default [] */
  readonly excludeZoneIds?: readonly string[];
  /** One NAT gateway in the first public subnet instead of one per AZ. */
  readonly singleNatGateway: boolean;
}

/** Public subnets take /8-split blocks from this index on: the top /4-split block of the VPC. */
const PUBLIC_SUBNET_FIRST_INDEX = 240;

/**
 * A VPC laid out the way terraform-aws-modules/vpc does for EKS: one private and one public subnet per AZ,
 * an internet gateway, NAT for the private subnets, and the subnet tags the AWS Load Balancer Controller and
 * the in-tree cloud provider use to place internet-facing and internal load balancers.
 */
export class ClusterVpc extends Construct {
  readonly vpcId: string;
  readonly privateSubnetIds: string[];
  readonly publicSubnetIds: string[];
  /** Availability zone of each subnet, in subnet order (names or tokens). */
  readonly availabilityZones: string[];
  /** NAT gateways; private subnets need them for egress, so node groups should be created after them. */
  readonly natGateways: NatGateway[];

  constructor(scope: Construct, id: string, props: ClusterVpcProps) {
    super(scope, id);
    const zones = props.availabilityZones ?? this.lookUpZones(props.azCount, props.excludeZoneIds ?? []);
    const clusterTag = { [`kubernetes.io/cluster/${props.clusterName}`]: 'shared' };

    const vpc = new Vpc(this, 'vpc', {
      cidrBlock: props.cidr,
      // EKS needs both for the private endpoint's DNS name to resolve inside the VPC.
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: props.name },
    });
    this.vpcId = vpc.id;

    // The default security group allows all traffic between its members; nothing should use it
    // (terraform-aws-modules/vpc `manage_default_security_group = true`, no rules).
    new DefaultSecurityGroup(this, 'default-security-group', {
      vpcId: vpc.id,
      tags: { Name: `${props.name}-default` },
    });

    const igw = new InternetGateway(this, 'igw', { vpcId: vpc.id, tags: { Name: props.name } });
    const publicRoutes = new RouteTable(this, 'public-routes', {
      vpcId: vpc.id,
      route: [{ cidrBlock: '0.0.0.0/0', gatewayId: igw.id }],
      tags: { Name: `${props.name}-public` },
    });

    const publicSubnets = zones.map(
      (zone, k) =>
        new Subnet(this, `public-${k}`, {
          vpcId: vpc.id,
          availabilityZone: zone,
          cidrBlock: Fn.cidrsubnet(props.cidr, 8, PUBLIC_SUBNET_FIRST_INDEX + k),
          // Nodes live in private subnets; nothing launched here needs a public IP by default.
          mapPublicIpOnLaunch: false,
          tags: { Name: `${props.name}-public-${k}`, 'kubernetes.io/role/elb': '1', ...clusterTag },
        }),
    );
    publicSubnets.forEach((subnet, k) => {
      new RouteTableAssociation(this, `public-${k}-routes`, {
        subnetId: subnet.id,
        routeTableId: publicRoutes.id,
      });
    });

    const natCount = props.singleNatGateway ? 1 : zones.length;
    this.natGateways = Array.from({ length: natCount }, (_, k) => {
      const eip = new Eip(this, `nat-${k}-eip`, { domain: 'vpc', tags: { Name: `${props.name}-nat-${k}` } });
      return new NatGateway(this, `nat-${k}`, {
        allocationId: eip.id,
        subnetId: publicSubnets[k]!.id,
        tags: { Name: `${props.name}-nat-${k}` },
        dependsOn: [igw],
      });
    });
    const privateRoutes = this.natGateways.map(
      (nat, k) =>
        new RouteTable(this, `private-routes-${k}`, {
          vpcId: vpc.id,
          route: [{ cidrBlock: '0.0.0.0/0', natGatewayId: nat.id }],
          tags: { Name: `${props.name}-private-${k}` },
        }),
    );

    const privateSubnets = zones.map(
      (zone, k) =>
        new Subnet(this, `private-${k}`, {
          vpcId: vpc.id,
          availabilityZone: zone,
          cidrBlock: Fn.cidrsubnet(props.cidr, 4, k),
          tags: { Name: `${props.name}-private-${k}`, 'kubernetes.io/role/internal-elb': '1', ...clusterTag },
        }),
    );
    privateSubnets.forEach((subnet, k) => {
      new RouteTableAssociation(this, `private-${k}-routes`, {
        subnetId: subnet.id,
        routeTableId: privateRoutes[props.singleNatGateway ? 0 : k]!.id,
      });
    });

    this.availabilityZones = zones;
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
  }

  /** Zone names as tokens: the region is only known to the provider. */
  private lookUpZones(count: number, excludeZoneIds: readonly string[]): string[] {
    const available = new DataAwsAvailabilityZones(this, 'zones', {
      state: 'available',
      ...(excludeZoneIds.length > 0 ? { excludeZoneIds: [...excludeZoneIds] } : {}),
      // Local Zones and Wavelength Zones need opt-in and do not support EKS control-plane subnets.
      filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }],
    });
    return Array.from({ length: count }, (_, k) => Fn.element(available.names, k));
  }
}
