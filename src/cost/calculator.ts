import { HOURS_PER_MONTH, PRICE_TABLE, type Price, type PriceTable, priceOfType, usdFigure } from './prices';

/** The deployment targets; each is one or two stacks. */
export type CostTarget = 'eks' | 'gke' | 'sagemaker' | 'vertex';

/** What the calculator needs to know about the configuration (`inputs.ts` derives it from the config). */
export interface CostInputs {
  readonly eks: {
    readonly nodeInstanceType: string;
    /** Nodes running when idle (the node group's desired size: no cluster autoscaler shrinks it). */
    readonly nodeCount: number;
    readonly nodeMaxCount: number;
    readonly nodeDiskSizeInGb: number;
    readonly natGateways: number;
    /** Services exposed through a load balancer (one NLB each). */
    readonly loadBalancers: number;
    readonly logRetentionInDays: number;
  };
  readonly gke: {
    readonly machineType: string;
    readonly nodeCount: number;
    readonly nodeMaxCount: number;
    readonly diskSizeInGb: number;
    readonly zonal: boolean;
    readonly loadBalancers: number;
  };
  readonly sagemaker: {
    readonly capacity:
      | {
          readonly kind: 'instances';
          readonly instanceType: string;
          readonly minInstanceCount: number;
          readonly maxInstanceCount: number;
        }
      | { readonly kind: 'serverless'; readonly memorySizeInMb: number; readonly maxConcurrency: number };
    readonly ttlHours?: number;
    readonly logRetentionInDays: number;
  };
  readonly vertex: {
    readonly machineType: string;
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly ttlHours?: number;
  };
}

export interface CostUsage {
  /** Request rate to price at, besides idle. */
  readonly requestsPerSecond?: number;
  /** Measured requests per second one instance (node, endpoint instance, replica) sustains. */
  readonly throughputPerInstanceRps?: number;
  /** Where the throughput figure comes from, printed with it. */
  readonly throughputSource?: string;
  /** Mean request duration, for serverless compute at a request rate. */
  readonly meanLatencyMs?: number;
  /** Log volume per day of each stack that keeps logs; without it log cost is left out with a note. */
  readonly logGbPerDay?: number;
}

export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  /** What `quantity` counts, e.g. "nodes", "GB stored". */
  readonly quantityUnit: string;
  readonly price: Price;
  /** USD per hour; `undefined` when the price is unknown. */
  readonly hourly: number | undefined;
}

export interface RateCost {
  readonly requestsPerSecond: number;
  /** Instances (nodes, endpoint instances, replicas) the rate needs, within the configured maximum. */
  readonly instances: number | undefined;
  /** USD per hour at that rate (known parts); `undefined` when the scaling part has no price. */
  readonly hourly: number | undefined;
  readonly note?: string;
}

export interface StackCost {
  readonly stack: string;
  readonly target: CostTarget;
  readonly lines: readonly CostLine[];
  /** Sum of the known lines. */
  readonly idleHourly: number;
  /** Lines left out of `idleHourly` because their price is unknown. */
  readonly unknownItems: readonly string[];
  readonly atRate?: RateCost;
}

export interface CostReport {
  readonly retrieved: string;
  readonly regions: { readonly aws: string; readonly gcp: string };
  readonly stacks: readonly StackCost[];
  readonly warnings: readonly string[];
  readonly notes: readonly string[];
}

/** Zones of a regional GKE cluster when `nodeLocations` is not set (GKE's default for a region). */
export const GKE_REGIONAL_ZONES = 3;

const hourlyOf = (price: Price, quantity: number): number | undefined => {
  if (price.usd === undefined) return undefined;
  switch (price.unit) {
    case 'hour':
    case 'NLCU-hour':
      return price.usd * quantity;
    case 'GB-month':
      return (price.usd * quantity) / HOURS_PER_MONTH;
    case 'GB':
      // quantity is GB per hour
      return price.usd * quantity;
  }
};

const line = (item: string, quantity: number, quantityUnit: string, price: Price): CostLine => ({
  item,
  quantity,
  quantityUnit,
  price,
  hourly: hourlyOf(price, quantity),
});

function stackCost(stack: string, target: CostTarget, lines: CostLine[], atRate?: RateCost): StackCost {
  const used = lines.filter((l) => l.quantity > 0);
  return {
    stack,
    target,
    lines: used,
    idleHourly: used.reduce((sum, l) => sum + (l.hourly ?? 0), 0),
    unknownItems: used.filter((l) => l.hourly === undefined).map((l) => l.item),
    ...(atRate ? { atRate } : {}),
  };
}

/** Log lines of a stack that keeps CloudWatch logs for `retentionDays`, at the steady state. */
function cloudWatchLogLines(table: PriceTable, usage: CostUsage, retentionDays: number): CostLine[] {
  if (usage.logGbPerDay === undefined) return [];
  return [
    line('CloudWatch Logs ingestion', usage.logGbPerDay / 24, 'GB/hour', table.aws.cloudWatchLogsIngest),
    line(
      `CloudWatch Logs storage (${retentionDays} days kept)`,
      usage.logGbPerDay * retentionDays,
      'GB stored',
      table.aws.cloudWatchLogsStorage,
    ),
  ];
}

/**
 * Instances a request rate needs, from the measured throughput of one, never fewer than `idle` nor more
 * than `max` (the configuration caps it; the note says so).
 */
function scale(
  usage: CostUsage,
  idle: number,
  max: number,
  instancePrice: Price,
  idleHourly: number,
  what: string,
): RateCost | undefined {
  const rps = usage.requestsPerSecond;
  if (rps === undefined) return undefined;
  const perInstance = usage.throughputPerInstanceRps;
  if (perInstance === undefined || perInstance <= 0) {
    return {
      requestsPerSecond: rps,
      instances: undefined,
      hourly: undefined,
      note: 'no measured throughput per instance (run `npm run compare` or pass --throughput-per-instance)',
    };
  }
  const needed = Math.max(idle, Math.ceil(rps / perInstance));
  const instances = Math.min(needed, max);
  const extra = instances - idle;
  const hourly = instancePrice.usd === undefined ? undefined : idleHourly + extra * instancePrice.usd;
  const capped =
    needed > max
      ? `needs ${needed} ${what} at ${perInstance} rps each but the configuration allows ${max}: raise the maximum or expect errors`
      : undefined;
  const unknownPrice = instancePrice.usd === undefined ? `${what} price unknown` : undefined;
  const note = [capped, unknownPrice].filter(Boolean).join('; ');
  return { requestsPerSecond: rps, instances, hourly, ...(note ? { note } : {}) };
}

/** Hourly and monthly cost of each stack as configured, idle and at a request rate. */
export function calculateCost(
  inputs: CostInputs,
  usage: CostUsage = {},
  table: PriceTable = PRICE_TABLE,
): CostReport {
  const warnings: string[] = [];
  const notes: string[] = [];
  const { eks, gke, sagemaker, vertex } = inputs;

  // EKS
  const ec2 = priceOfType(table.aws.ec2, eks.nodeInstanceType, 'EC2');
  const eksClusterLines = [
    line('EKS control plane (standard support)', 1, 'cluster', table.aws.eksControlPlane),
    line(`nodes ${eks.nodeInstanceType}`, eks.nodeCount, 'nodes', ec2),
    line('node root volumes (gp3)', eks.nodeCount * eks.nodeDiskSizeInGb, 'GB', table.aws.ebsGp3),
    line('NAT gateways', eks.natGateways, 'gateways', table.aws.natGatewayHour),
    ...cloudWatchLogLines(table, usage, eks.logRetentionInDays),
  ];
  const eksServingLines = [
    line('Network Load Balancers', eks.loadBalancers, 'load balancers', table.aws.networkLoadBalancerHour),
  ];
  const eksIdle = stackCost('eks-cluster', 'eks', eksClusterLines).idleHourly;
  const eksRate = scale(usage, eks.nodeCount, eks.nodeMaxCount, ec2, eksIdle, 'nodes');

  // GKE
  const vm = priceOfType(table.gcp.compute, gke.machineType, 'Compute Engine');
  const gkeClusterLines = [
    line(`GKE cluster fee (${gke.zonal ? 'zonal' : 'regional'})`, 1, 'cluster', table.gcp.gkeClusterFee),
    line(`nodes ${gke.machineType}`, gke.nodeCount, 'nodes', vm),
    line(
      'node boot disks (pd-balanced)',
      gke.nodeCount * gke.diskSizeInGb,
      'GB',
      table.gcp.persistentDiskBalanced,
    ),
    line('Cloud NAT gateway', 1, 'gateways', table.gcp.cloudNatGatewayHour),
  ];
  const gkeServingLines = [
    line('load balancer forwarding rules', gke.loadBalancers, 'rules', table.gcp.forwardingRuleHour),
  ];
  const gkeIdle = stackCost('gke-cluster', 'gke', gkeClusterLines).idleHourly;
  const gkeRate = scale(usage, gke.nodeCount, gke.nodeMaxCount, vm, gkeIdle, 'nodes');
  if (gke.zonal) {
    notes.push(
      `GKE: a zonal cluster may be covered by the ${usdFigure(table.gcp.gkeFreeTierCredit.usd)}/month free-tier credit (one per billing account); not subtracted here.`,
    );
  }

  // SageMaker
  const sagemakerLines: CostLine[] = [];
  let sagemakerRate: RateCost | undefined;
  const { capacity } = sagemaker;
  if (capacity.kind === 'instances') {
    const instance = priceOfType(table.aws.sagemakerInstance, capacity.instanceType, 'SageMaker');
    sagemakerLines.push(
      line(`endpoint instances ${capacity.instanceType}`, capacity.minInstanceCount, 'instances', instance),
      ...cloudWatchLogLines(table, usage, sagemaker.logRetentionInDays),
    );
    const idle = sagemakerLines.reduce((sum, l) => sum + (l.hourly ?? 0), 0);
    sagemakerRate = scale(
      usage,
      capacity.minInstanceCount,
      capacity.maxInstanceCount,
      instance,
      idle,
      'instances',
    );
  } else {
    sagemakerLines.push(...cloudWatchLogLines(table, usage, sagemaker.logRetentionInDays));
    notes.push('SageMaker serverless: no charge while idle; compute is billed per GB-second of requests.');
    if (usage.requestsPerSecond !== undefined) {
      const price = table.aws.sagemakerServerlessGbSecond;
      const gbSecondsPerHour =
        usage.meanLatencyMs === undefined
          ? undefined
          : usage.requestsPerSecond * 3600 * (usage.meanLatencyMs / 1000) * (capacity.memorySizeInMb / 1024);
      const hourly =
        price.usd === undefined || gbSecondsPerHour === undefined ? undefined : price.usd * gbSecondsPerHour;
      sagemakerRate = {
        requestsPerSecond: usage.requestsPerSecond,
        instances: undefined,
        hourly,
        note:
          gbSecondsPerHour === undefined
            ? 'needs a measured mean latency (compare results)'
            : `${gbSecondsPerHour.toFixed(1)} GB-seconds per hour${price.usd === undefined ? '; serverless price unknown' : ''}`,
      };
    }
  }

  // Vertex
  const node = priceOfType(table.gcp.vertexPrediction, vertex.machineType, 'Vertex AI prediction');
  const vertexLines = [line(`prediction nodes ${vertex.machineType}`, vertex.minReplicas, 'replicas', node)];
  const vertexRate = scale(
    usage,
    vertex.minReplicas,
    vertex.maxReplicas,
    node,
    vertexLines.reduce((sum, l) => sum + (l.hourly ?? 0), 0),
    'replicas',
  );

  const stacks = [
    stackCost('eks-cluster', 'eks', eksClusterLines, eksRate),
    stackCost('eks-serving', 'eks', eksServingLines),
    stackCost('gke-cluster', 'gke', gkeClusterLines, gkeRate),
    stackCost('gke-serving', 'gke', gkeServingLines),
    stackCost('sagemaker-endpoint', 'sagemaker', sagemakerLines, sagemakerRate),
    stackCost('vertex-endpoint', 'vertex', vertexLines, vertexRate),
  ];

  const costOf = (name: string) => stacks.find((s) => s.stack === name)!;
  if (sagemaker.ttlHours === undefined) {
    warnings.push(
      `sagemaker-endpoint has no time-to-live (sagemaker.ttlHours): it bills ${describeHourly(costOf('sagemaker-endpoint'))} until you run \`npm run destroy -- sagemaker\``,
    );
  }
  if (vertex.ttlHours === undefined) {
    warnings.push(
      `vertex-endpoint has no time-to-live (vertex.ttlHours): it bills ${describeHourly(costOf('vertex-endpoint'))} until you run \`npm run destroy -- vertex\``,
    );
  }
  if (usage.requestsPerSecond !== undefined && usage.throughputPerInstanceRps !== undefined) {
    notes.push(
      `At ${usage.requestsPerSecond} requests/second: ${usage.throughputPerInstanceRps} requests/second per instance (${usage.throughputSource ?? 'given'}), one server process per instance; a cloud instance's own throughput comes from \`npm run compare\` against it.`,
    );
  }
  if (usage.logGbPerDay === undefined) {
    notes.push(
      `Log ingestion and retention depend on log volume: pass --log-gb-per-day to price them (CloudWatch: ${usdFigure(table.aws.cloudWatchLogsIngest.usd)}/GB ingested, ${usdFigure(table.aws.cloudWatchLogsStorage.usd)}/GB-month kept).`,
    );
  }
  notes.push(
    'Not priced: image registries (ECR, Artifact Registry storage), data transfer and NAT data processing, which depend on traffic.',
  );
  if (stacks.some((s) => s.unknownItems.length > 0)) {
    notes.push(
      'Rows priced "unknown" have no published source in the price table (src/cost/prices.ts) and are left out of every total.',
    );
  }
  return {
    retrieved: table.retrieved,
    regions: { aws: table.aws.region, gcp: table.gcp.region },
    stacks,
    warnings,
    notes,
  };
}

/** "$0.1234/h" or "$0.1234/h + unknown (…)" or "an unknown amount per hour". */
export function describeHourly(cost: Pick<StackCost, 'idleHourly' | 'unknownItems'>): string {
  const known = `$${cost.idleHourly.toFixed(4)}/h`;
  if (cost.unknownItems.length === 0) return known;
  if (cost.idleHourly === 0) return `an unknown amount per hour (${cost.unknownItems.join(', ')})`;
  return `${known} + unknown (${cost.unknownItems.join(', ')})`;
}

/** Idle cost of each cluster target: its cluster stack plus its serving stack. */
export function clusterIdle(
  report: CostReport,
  target: 'eks' | 'gke',
): Pick<StackCost, 'idleHourly' | 'unknownItems'> {
  const parts = report.stacks.filter((s) => s.target === target);
  return {
    idleHourly: parts.reduce((sum, s) => sum + s.idleHourly, 0),
    unknownItems: parts.flatMap((s) => s.unknownItems),
  };
}
