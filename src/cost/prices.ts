/**
 * The one price table of the project: `npm run cost`, the README and every other command read it. On-demand
 * list prices in USD, for one AWS region and one GCP region, as found on the date below. A price that no
 * published source could confirm is `undefined`: the calculator prints it as "unknown" and leaves it out
 * of every total (with a note), rather than guess a figure.
 *
 * Update: change the figures and their `source`, then `retrieved`; `npm run cost` prints the date.
 */

/** What one price is charged per. */
export type PriceUnit = 'hour' | 'GB' | 'GB-month' | 'NLCU-hour';

export interface Price {
  /** USD per `unit`; `undefined` when no published source was found. */
  readonly usd: number | undefined;
  readonly unit: PriceUnit;
  /** Where the figure was read (or why there is none). */
  readonly source: string;
}

const unknown = (unit: PriceUnit, what: string): Price => ({
  usd: undefined,
  unit,
  source: `no published source found for ${what} when this table was dated: check the provider's pricing page`,
});

/** Hours in a month, the convention of the AWS and Google pricing calculators (24 × 365 / 12). */
export const HOURS_PER_MONTH = 730;

export const PRICE_TABLE = {
  /** When the figures were read. */
  retrieved: '2026-12-01',
  currency: 'USD',
  aws: {
    region: 'us-east-1',
    eksControlPlane: {
      usd: 0.1,
      unit: 'hour',
      source:
        'AWS blog "Amazon EKS extended support for Kubernetes versions pricing" (aws.amazon.com/blogs/containers): $0.10 per cluster-hour in standard support',
    },
    eksControlPlaneExtendedSupport: {
      usd: 0.6,
      unit: 'hour',
      source: 'same AWS blog: $0.60 per cluster-hour while the version is in extended support',
    },
    natGatewayHour: {
      usd: 0.045,
      unit: 'hour',
      source:
        'AWS VPC pricing for US East as quoted by cloudburn.io and basavytix.com (2026): $0.045 per NAT gateway-hour',
    },
    natGatewayData: {
      usd: 0.045,
      unit: 'GB',
      source: 'the same pages: $0.045 per GB processed',
    },
    networkLoadBalancerHour: {
      usd: 0.0225,
      unit: 'hour',
      source:
        'Elastic Load Balancing pricing for us-east-1 as quoted by clustercost.com and awsnegotiations.com (2025-2026): $0.0225 per NLB-hour',
    },
    networkLoadBalancerCapacity: {
      usd: 0.006,
      unit: 'NLCU-hour',
      source: 'awsnegotiations.com (May 2026): $0.006 per NLCU-hour',
    },
    cloudWatchLogsIngest: {
      usd: 0.5,
      unit: 'GB',
      source:
        'CloudWatch pricing, us-east-1, as quoted by c3x.dev (June 2026) and hykell.com: $0.50 per GB ingested',
    },
    cloudWatchLogsStorage: {
      usd: 0.03,
      unit: 'GB-month',
      source: 'the same pages: $0.03 per GB-month stored',
    },
    ebsGp3: unknown('GB-month', 'EBS gp3 storage in us-east-1'),
    /** EC2 on-demand Linux instances (EKS nodes). */
    ec2: {
      't3.large': {
        usd: 0.0832,
        unit: 'hour',
        source: 'EC2 on-demand Linux, us-east-1, as quoted by go-cloud.io (2026): $0.0832 per hour',
      },
    } as Readonly<Record<string, Price>>,
    /** SageMaker real-time inference instances. */
    sagemakerInstance: {
      'ml.t3.medium': {
        usd: 0.05,
        unit: 'hour',
        source:
          'SageMaker real-time inference, us-east-1, as quoted by wring.co (March 2026): $0.05 per hour',
      },
      'ml.t2.medium': {
        usd: undefined,
        unit: 'hour',
        source:
          'no published source found: public code quotes $0.0464, $0.056 and $0.065 per hour with no primary source; check aws.amazon.com/sagemaker/pricing',
      },
    } as Readonly<Record<string, Price>>,
    /** Serverless inference, per second of compute per GB of memory. */
    sagemakerServerlessGbSecond: unknown('GB', 'SageMaker serverless inference per GB-second'),
  },
  gcp: {
    region: 'us-central1',
    gkeClusterFee: {
      usd: 0.1,
      unit: 'hour',
      source:
        'cloud.google.com/kubernetes-engine/pricing: $0.10 per cluster-hour; the $74.40 monthly free-tier credit applies to one zonal or Autopilot cluster per billing account, not to regional clusters',
    },
    cloudNatGatewayHour: unknown('hour', 'Cloud NAT per gateway-hour'),
    forwardingRuleHour: unknown('hour', 'a Google Cloud forwarding rule (load balancer) per hour'),
    persistentDiskBalanced: unknown('GB-month', 'pd-balanced in us-central1'),
    cloudLoggingIngest: unknown('GB', 'Cloud Logging ingestion'),
    /** Compute Engine on-demand VMs (GKE nodes). */
    compute: {
      'e2-standard-2': unknown('hour', 'e2-standard-2 in us-central1 (the pages found disagreed)'),
    } as Readonly<Record<string, Price>>,
    /** Vertex AI prediction nodes of custom-trained models, per node-hour. */
    vertexPrediction: {
      'n1-standard-2': unknown('hour', 'Vertex AI prediction on n1-standard-2 in us-central1'),
    } as Readonly<Record<string, Price>>,
  },
} as const satisfies {
  retrieved: string;
  currency: 'USD';
  aws: Record<string, unknown>;
  gcp: Record<string, unknown>;
};

export type PriceTable = typeof PRICE_TABLE;

/** The price of a machine type in one of the per-type maps; unknown types have no price. */
export function priceOfType(map: Readonly<Record<string, Price>>, type: string, what: string): Price {
  return Object.hasOwn(map, type) ? map[type]! : unknown('hour', `${what} ${type}`);
}
