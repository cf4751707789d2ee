/**
 * Service annotations that make a Kubernetes `LoadBalancer` Service internal or internet-facing on each
 * cloud. They are the only cloud-specific part of `ModelServingService`, passed in by the serving stacks.
 */
export interface LoadBalancerAnnotations {
  /** Annotations for an internal (VPC-only) load balancer. */
  readonly internal: Readonly<Record<string, string>>;
  /** Annotations for an internet-facing load balancer. */
  readonly public: Readonly<Record<string, string>>;
}

/** The in-tree AWS cloud provider makes a Network Load Balancer (instance targets) instead of a Classic ELB. */
const AWS_NLB = { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb' } as const;

/**
 * EKS: a Network Load Balancer without the AWS Load Balancer Controller. EKS's cloud controller reconciles
 * `aws-load-balancer-type: nlb` itself (instance targets, client addresses preserved, source ranges
 * enforced in the node security group) and reads `aws-load-balancer-internal`; the controller, if one is
 * installed later and takes the Service through its webhook, reads `aws-load-balancer-scheme`. Setting
 * both keeps the scheme whichever of the two reconciles the Service.
 */
export const EKS_LOAD_BALANCER_ANNOTATIONS: LoadBalancerAnnotations = {
  internal: {
    ...AWS_NLB,
    'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
    'service.beta.kubernetes.io/aws-load-balancer-internal': 'true',
  },
  public: {
    ...AWS_NLB,
    'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
  },
};

/**
 * GKE: passthrough Network Load Balancers built on backend services, which preserve client addresses.
 * Internal ones always are; an external one is only with `cloud.google.com/l4-rbs` (otherwise GKE makes
 * the older target-pool based one).
 */
export const GKE_LOAD_BALANCER_ANNOTATIONS: LoadBalancerAnnotations = {
  internal: { 'networking.gke.io/load-balancer-type': 'Internal' },
  public: { 'cloud.google.com/l4-rbs': 'enabled' },
};

/**
 * EKS: the load balancer terminates TLS on the Service's port with an ACM certificate and forwards plain
 * TCP to the pods. Both the in-tree cloud provider and the AWS Load Balancer Controller read these.
 */
export function eksTlsAnnotations(certificateArn: string, port: number): Record<string, string> {
  return {
    'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': certificateArn,
    'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': String(port),
  };
}

/** The Service port of a service whose load balancer terminates TLS. */
export const TLS_SERVICE_PORT = 443;
