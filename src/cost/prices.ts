/**
 * The one price table of the project: `npm run cost`, the README and every other command read it. On-demand
 * list prices in USD, for one AWS region and one GCP region, as found on the date below. A price that no
 * published source could confirm is `undefined`: the calculator prints it as "unknown" and leaves it out
 * of every total (with a note), rather than guess a figure.
 *
 * Update: change the figures and their `source`, then `retrieved`; `npm run cost` prints the date. Then run
 * `npm run docs:cost`: the README's price passages are generated from this table (a test fails until then).
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

/**
 * What a fee outside `npm run cost`'s hourly totals is charged per: the observability add-ons, billed per
 * item and month or per use (the README's observability cost table is generated from them).
 */
export type FeeUnit =
  | 'dashboard-month'
  | 'key-month'
  | '10,000 requests'
  | 'alarm-month'
  | 'condition-month'
  | 'million time series queried'
  | 'billing-account-month';

export interface Fee {
  /** USD per `unit`; `undefined` when no published source was found. */
  readonly usd: number | undefined;
  readonly unit: FeeUnit;
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
    cloudWatchDashboard: {
      usd: 3,
      unit: 'dashboard-month',
      source:
        'factualminds.com "Amazon CloudWatch Pricing" (June 2026): $3 per dashboard-month; aws.amazon.com/cloudwatch/pricing: the first 3 dashboards of an account are free (read 2026-12-02)',
    } satisfies Fee,
    cloudWatchAlarm: {
      usd: 0.1,
      unit: 'alarm-month',
      source:
        'c3x.dev aws_cloudwatch_metric_alarm cost estimation: $0.10 per standard-resolution alarm-month; aws.amazon.com/cloudwatch/pricing: 10 alarm metrics a month free (read 2026-12-02)',
    } satisfies Fee,
    kmsKey: {
      usd: 1,
      unit: 'key-month',
      source: 'aws.amazon.com/kms/pricing: each AWS KMS key you create costs $1/month (read 2026-12-02)',
    } satisfies Fee,
    kmsRequests: {
      usd: 0.03,
      unit: '10,000 requests',
      source:
        'wring.co "AWS KMS Pricing" (March 2026): $0.03 per 10,000 symmetric-key requests after 20,000 free a month (read 2026-12-02)',
    } satisfies Fee,
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
    gkeFreeTierCredit: {
      usd: 74.4,
      unit: 'billing-account-month',
      source:
        'cloud.google.com/kubernetes-engine/pricing: a $74.40 monthly credit per billing account, for one zonal or Autopilot cluster',
    } satisfies Fee,
    monitoringAlertCondition: {
      usd: 1.5,
      unit: 'condition-month',
      source:
        'Google Cloud docs "Manage alerting costs" (cloud.google.com/monitoring/alerts/cost-control): $1.50 per condition per month (read 2026-12-02)',
    } satisfies Fee,
    monitoringTimeSeriesQueried: {
      usd: 0.35,
      unit: 'million time series queried',
      source:
        'the same page: $0.35 per million time series returned by alerting-policy queries (read 2026-12-02)',
    } satisfies Fee,
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

/** A figure as prose quotes it: whole dollars bare ("$3"), else cents ("$0.50", "$74.40"), else every digit. */
export function usdFigure(usd: number): string {
  if (Number.isInteger(usd)) return `$${usd}`;
  const cents = usd * 100;
  return Math.abs(cents - Math.round(cents)) < 1e-9 ? `$${usd.toFixed(2)}` : `$${usd}`;
}
