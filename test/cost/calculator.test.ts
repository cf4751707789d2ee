import { type CostInputs, type CostReport, calculateCost, clusterIdle } from '../../src/cost/calculator';
import { formatCostReport } from '../../src/cost/format';
import { HOURS_PER_MONTH, PRICE_TABLE, type PriceTable } from '../../src/cost/prices';

// Hand-computed against the dated table: t3.large $0.0832/h, EKS $0.10/h, NAT $0.045/h, NLB $0.0225/h,
// ml.t3.medium $0.05/h, CloudWatch $0.50/GB ingested and $0.03/GB-month.
const base: CostInputs = {
  eks: {
    nodeInstanceType: 't3.large',
    nodeCount: 2,
    nodeMaxCount: 3,
    nodeDiskSizeInGb: 20,
    natGateways: 1,
    loadBalancers: 0,
    logRetentionInDays: 30,
  },
  gke: {
    machineType: 'e2-standard-2',
    nodeCount: 3,
    nodeMaxCount: 6,
    diskSizeInGb: 50,
    zonal: false,
    loadBalancers: 0,
  },
  sagemaker: {
    capacity: { kind: 'instances', instanceType: 'ml.t3.medium', minInstanceCount: 2, maxInstanceCount: 4 },
    logRetentionInDays: 30,
  },
  vertex: { machineType: 'n1-standard-2', minReplicas: 2, maxReplicas: 3 },
};

const stack = (report: CostReport, name: string) => {
  const found = report.stacks.find((s) => s.stack === name);
  if (!found) throw new Error(`no stack ${name}`);
  return found;
};

describe('calculateCost against hand-computed cases', () => {
  it('EKS idle: control plane + 2 x t3.large + 1 NAT gateway = $0.3114/h; gp3 has no source, so it is left out and named', () => {
    const report = calculateCost(base);
    const eks = stack(report, 'eks-cluster');
    expect(eks.idleHourly).toBeCloseTo(0.1 + 2 * 0.0832 + 0.045, 10);
    expect(eks.idleHourly * HOURS_PER_MONTH).toBeCloseTo(227.322, 6);
    expect(eks.unknownItems).toEqual(['node root volumes (gp3)']);
    expect(eks.lines.find((l) => l.item.startsWith('node root'))!.quantity).toBe(40);
  });

  it('one NAT gateway per zone when not single: 2 gateways add $0.09/h', () => {
    const report = calculateCost({ ...base, eks: { ...base.eks, natGateways: 2 } });
    expect(stack(report, 'eks-cluster').idleHourly).toBeCloseTo(0.1 + 0.1664 + 0.09, 10);
  });

  it('prices one NLB per load-balanced service on eks-serving, and the cluster idle sums both stacks', () => {
    const report = calculateCost({ ...base, eks: { ...base.eks, loadBalancers: 2 } });
    expect(stack(report, 'eks-serving').idleHourly).toBeCloseTo(0.045, 10);
    expect(clusterIdle(report, 'eks').idleHourly).toBeCloseTo(0.3114 + 0.045, 10);
  });

  it('log volume: 1 GB/day kept 30 days costs 1/24 x $0.50 + 30 x $0.03 / 730 per hour', () => {
    const report = calculateCost(base, { logGbPerDay: 1 });
    const logs = stack(report, 'eks-cluster').lines.filter((l) => l.item.startsWith('CloudWatch'));
    expect(logs.map((l) => l.hourly)).toEqual([expect.closeTo(0.5 / 24, 10), expect.closeTo(0.9 / 730, 10)]);
  });

  it('at a request rate: ceil(rate / throughput) instances, never below idle, capped at the maximum with a note', () => {
    const within = calculateCost(base, { requestsPerSecond: 100, throughputPerInstanceRps: 40 });
    expect(stack(within, 'eks-cluster').atRate).toEqual({
      requestsPerSecond: 100,
      instances: 3,
      hourly: expect.closeTo(0.3114 + 0.0832, 10),
    });
    // SageMaker: 3 instances of ml.t3.medium = 2 idle + 1
    expect(stack(within, 'sagemaker-endpoint').atRate!.hourly).toBeCloseTo(0.15, 10);
    const low = calculateCost(base, { requestsPerSecond: 1, throughputPerInstanceRps: 40 });
    expect(stack(low, 'eks-cluster').atRate!.instances).toBe(2);
    const over = calculateCost(base, { requestsPerSecond: 200, throughputPerInstanceRps: 40 });
    const capped = stack(over, 'eks-cluster').atRate!;
    expect(capped.instances).toBe(3);
    expect(capped.note).toMatch(/needs 5 nodes .* allows 3/);
  });

  it('at a rate without a measured throughput: no instance count, a note saying how to get one', () => {
    const report = calculateCost(base, { requestsPerSecond: 10 });
    expect(stack(report, 'eks-cluster').atRate).toMatchObject({ instances: undefined, hourly: undefined });
    expect(stack(report, 'eks-cluster').atRate!.note).toMatch(/npm run compare/);
  });

  it('a managed endpoint without a TTL is warned about with what it bills; with a TTL it is not', () => {
    const report = calculateCost(base);
    expect(report.warnings).toEqual([
      expect.stringMatching(/^sagemaker-endpoint has no time-to-live .* bills \$0\.1000\/h until/),
      expect.stringMatching(/^vertex-endpoint has no time-to-live .* bills an unknown amount per hour/),
    ]);
    const ttl = calculateCost({
      ...base,
      sagemaker: { ...base.sagemaker, ttlHours: 4 },
      vertex: { ...base.vertex, ttlHours: 4 },
    });
    expect(ttl.warnings).toEqual([]);
  });

  it('an instance type missing from the table is unknown and out of the totals', () => {
    const report = calculateCost({
      ...base,
      sagemaker: {
        ...base.sagemaker,
        capacity: { ...base.sagemaker.capacity, instanceType: 'ml.m5.large' } as never,
      },
    });
    const sm = stack(report, 'sagemaker-endpoint');
    expect(sm.idleHourly).toBe(0);
    expect(sm.unknownItems).toEqual(['endpoint instances ml.m5.large']);
  });

  it('serverless: nothing while idle; at a rate, GB-seconds from the measured latency (price unknown here)', () => {
    const report = calculateCost(
      {
        ...base,
        sagemaker: {
          ...base.sagemaker,
          capacity: { kind: 'serverless', memorySizeInMb: 2048, maxConcurrency: 5 },
        },
      },
      { requestsPerSecond: 2, meanLatencyMs: 50 },
    );
    const sm = stack(report, 'sagemaker-endpoint');
    expect(sm.lines).toEqual([]);
    expect(sm.idleHourly).toBe(0);
    // 2 rps x 3600 s x 0.05 s x 2 GB = 720 GB-seconds per hour
    expect(sm.atRate).toMatchObject({
      hourly: undefined,
      note: expect.stringMatching(/^720\.0 GB-seconds per hour/),
    });
  });

  it('uses the table it is given: Vertex at $0.10 per node-hour and 2 replicas is $0.20/h', () => {
    const table = {
      ...PRICE_TABLE,
      gcp: {
        ...PRICE_TABLE.gcp,
        vertexPrediction: { 'n1-standard-2': { usd: 0.1, unit: 'hour', source: 'test' } },
      },
    } as unknown as PriceTable;
    expect(stack(calculateCost(base, {}, table), 'vertex-endpoint').idleHourly).toBeCloseTo(0.2, 10);
  });
});

describe('formatCostReport', () => {
  const text = formatCostReport(calculateCost(base));

  it('puts the idle cost per hour of each cluster first, with what is unknown', () => {
    const lines = text.split('\n');
    expect(lines[0]).toContain('read 2026-12-01');
    expect(text).toContain('- **EKS: $0.3114/h + unknown (node root volumes (gp3))** ($227.32/month known)');
    expect(text.indexOf('**EKS:')).toBeLessThan(text.indexOf('| stack |'));
  });

  it('prints a row with no price as unknown, and the totals without it', () => {
    expect(text).toContain('| eks-cluster | node root volumes (gp3) | 40 GB | unknown | unknown | unknown |');
    expect(text).toContain(
      '| **eks-cluster** | **idle total** |  |  | **$0.3114 + unknown** | **$227.32 + unknown** |',
    );
    expect(text).toContain('left out of every total');
  });
});
