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

/**
 * EKS. `aws-load-balancer-scheme` is read by the AWS Load Balancer Controller; `aws-load-balancer-internal`
 * by the in-tree cloud provider that handles Services when the controller is not installed. Setting both
 * keeps the load balancer internal whichever of the two reconciles the Service.
 */
export const EKS_LOAD_BALANCER_ANNOTATIONS: LoadBalancerAnnotations = {
  internal: {
    'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
    'service.beta.kubernetes.io/aws-load-balancer-internal': 'true',
  },
  public: {
    'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
  },
};

/** GKE: an internal passthrough Network Load Balancer; without the annotation GKE makes an external one. */
export const GKE_LOAD_BALANCER_ANNOTATIONS: LoadBalancerAnnotations = {
  internal: { 'networking.gke.io/load-balancer-type': 'Internal' },
  public: {},
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
