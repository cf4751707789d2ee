// The project as a construct library: every construct, the stack base class and the config's types.

export * from './common/project-stack';
export * from './config/errors';
export * from './config/image-source';
export * from './config/load';
export * from './config/resolve';
export * from './config/schema';
export * from './constructs/aws/ecr-image';
export * from './constructs/aws/eks-cluster';
export * from './constructs/docker/built-image';
export * from './constructs/gcp/artifact-registry-image';
export * from './constructs/gcp/gke-cluster';
export * from './constructs/k8s/load-balancer-annotations';
export * from './constructs/k8s/model-serving-service';
export * from './constructs/k8s/model-serving-service-validation';
export * from './constructs/k8s/quantity';
export * from './constructs/k8s/serving-api-keys';
export * from './constructs/props-problems';
export * from './security';
