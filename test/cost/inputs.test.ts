import { parseConfig } from '../../src/config/load';
import { costInputsFromConfig } from '../../src/cost/inputs';

describe('costInputsFromConfig', () => {
  it('reads the defaults: EKS desired nodes, one NAT gateway, a regional GKE cluster over 3 zones', () => {
    const inputs = costInputsFromConfig(parseConfig({}));
    expect(inputs.eks).toMatchObject({ nodeInstanceType: 't3.large', natGateways: 1, loadBalancers: 0 });
    expect(inputs.eks.nodeCount).toBe(parseConfig({}).eks.nodeDesiredSize);
    expect(inputs.gke).toMatchObject({ zonal: false, nodeCount: 3, nodeMaxCount: 6 });
    expect(inputs.sagemaker.capacity).toMatchObject({ kind: 'instances', instanceType: 'ml.t2.medium' });
    expect(inputs.sagemaker.ttlHours).toBeUndefined();
  });

  it('counts one zone for a zonal cluster, load-balanced services, serverless and TTLs', () => {
    const inputs = costInputsFromConfig(
      parseConfig({
        gke: { location: 'us-central1-a', nodeMinCountPerZone: 2 },
        services: { bankchurn: { exposure: 'loadBalancer' }, chicagotaxi: {} },
        sagemaker: { serverless: { memorySizeInMb: 3072 }, ttlHours: 6 },
        vertex: { ttlHours: 3, minReplicas: 2 },
      }),
    );
    expect(inputs.gke).toMatchObject({ zonal: true, nodeCount: 2, loadBalancers: 1 });
    expect(inputs.eks.loadBalancers).toBe(1);
    expect(inputs.sagemaker).toMatchObject({
      capacity: { kind: 'serverless', memorySizeInMb: 3072 },
      ttlHours: 6,
    });
    expect(inputs.vertex).toMatchObject({ minReplicas: 2, ttlHours: 3 });
  });
});
