import type { ModelServingConfig } from '../config/resolve';
import { DEFAULT_EKS_AZ_COUNT, DEFAULT_SINGLE_NAT_GATEWAY } from '../constructs/aws/eks-cluster-props';
import {
  DEFAULT_SAGEMAKER_INSTANCE_TYPE,
  DEFAULT_SAGEMAKER_MAX_INSTANCE_COUNT,
  DEFAULT_SAGEMAKER_MIN_INSTANCE_COUNT,
} from '../constructs/aws/sagemaker-model-endpoint-props';
import type { CostInputs } from './calculator';
import { GKE_REGIONAL_ZONES } from './calculator';

/** A GKE location that names a zone (`us-central1-a`) rather than a region. */
const GKE_ZONE = /^[a-z]+-[a-z]+\d{1,2}-[a-z]$/;

/** What the cost calculator reads from the validated configuration. */
export function costInputsFromConfig(config: ModelServingConfig): CostInputs {
  const services = Object.values(config.services);
  const loadBalancers = services.filter((s) => s.exposure !== 'internal').length;
  // The NAT setting may come from config (a `singleNatGateway` field); else the construct's default.
  const eksNat = (config.eks as { readonly singleNatGateway?: boolean }).singleNatGateway;
  const singleNat = eksNat ?? DEFAULT_SINGLE_NAT_GATEWAY;
  const zonal = GKE_ZONE.test(config.gke.location);
  const zones = zonal ? 1 : GKE_REGIONAL_ZONES;
  const { capacity } = config.sagemaker;
  return {
    eks: {
      nodeInstanceType: config.eks.nodeInstanceTypes[0]!,
      nodeCount: config.eks.nodeDesiredSize,
      nodeMaxCount: config.eks.nodeMaxSize,
      nodeDiskSizeInGb: config.eks.nodeDiskSizeInGb,
      natGateways: singleNat ? 1 : DEFAULT_EKS_AZ_COUNT,
      loadBalancers,
      logRetentionInDays: config.eks.logRetentionInDays,
    },
    gke: {
      machineType: config.gke.machineType,
      nodeCount: config.gke.nodeMinCountPerZone * zones,
      nodeMaxCount: config.gke.nodeMaxCountPerZone * zones,
      diskSizeInGb: config.gke.diskSizeInGb,
      zonal,
      loadBalancers,
    },
    sagemaker: {
      capacity:
        capacity.kind === 'serverless'
          ? {
              kind: 'serverless',
              memorySizeInMb: capacity.memorySizeInMb,
              maxConcurrency: capacity.maxConcurrency,
            }
          : {
              kind: 'instances',
              instanceType: capacity.instanceType ?? DEFAULT_SAGEMAKER_INSTANCE_TYPE,
              minInstanceCount: capacity.minInstanceCount ?? DEFAULT_SAGEMAKER_MIN_INSTANCE_COUNT,
              maxInstanceCount: capacity.maxInstanceCount ?? DEFAULT_SAGEMAKER_MAX_INSTANCE_COUNT,
            },
      ...(config.sagemaker.ttlHours !== undefined ? { ttlHours: config.sagemaker.ttlHours } : {}),
      logRetentionInDays: config.sagemaker.logRetentionInDays,
    },
    vertex: {
      machineType: config.vertex.machineType,
      minReplicas: config.vertex.minReplicas,
      maxReplicas: config.vertex.maxReplicas,
      ...(config.vertex.ttlHours !== undefined ? { ttlHours: config.vertex.ttlHours } : {}),
    },
  };
}
