import type { Json, ResourceView, Rule, StackView, Violation } from '../finding';
import { ANY_ADDRESS, block, blocks, ofType, strings } from '../json';
import {
  GKE_CERTMAP_ANNOTATION,
  gateways,
  namespaceName,
  securityPolicyGap,
  securityPolicyOf,
} from './gateways';
import { workloads } from './workloads';

/**
 * AWS KMS keys the stack declares or encrypts its artifact with: a SageMaker endpoint in the same stack must
 * use one of them. A key the stack merely creates is not counted: it may serve something else (an SNS topic).
 */
function awsKeys(stack: StackView): string[] {
  return [
    ...stack.declaredKeys.aws,
    ...ofType(stack, 'aws_s3_bucket_server_side_encryption_configuration').flatMap((sse) =>
      blocks(sse.config.rule)
        .map((r) => block(r.apply_server_side_encryption_by_default).kms_master_key_id)
        .filter((k): k is string => typeof k === 'string'),
    ),
  ];
}

function gcpKeys(stack: StackView): string[] {
  return [
    ...stack.declaredKeys.gcp,
    ...ofType(stack, 'google_storage_bucket')
      .map((b) => block(b.config.encryption).default_kms_key_name)
      .filter((k): k is string => typeof k === 'string'),
  ];
}

function keyCheck(
  resource: ResourceView,
  used: unknown,
  keys: string[],
  declared: readonly string[],
  field: string,
): Violation[] {
  if (keys.length === 0) return [];
  if (typeof used !== 'string' || used === '') {
    return [{ resource, message: `${field} is not set while the stack has a configured key (${keys[0]})` }];
  }
  if (declared.length > 0 && !declared.includes(used)) {
    return [{ resource, message: `${field} is ${used}, not the configured key ${declared[0]}` }];
  }
  return [];
}

export const sagemakerEncryption: Rule = {
  id: 'endpoints.sagemaker-encryption',
  family: 'endpoints',
  description:
    'A SageMaker endpoint configuration encrypts its storage with the configured KMS key when the stack has one (declared, or used for the model artifact).',
  fix: 'set kms_key_arn on the aws_sagemaker_endpoint_configuration to the configured key',
  check: (stack) => {
    const keys = awsKeys(stack);
    return ofType(stack, 'aws_sagemaker_endpoint_configuration').flatMap((resource) =>
      keyCheck(resource, resource.config.kms_key_arn, keys, stack.declaredKeys.aws, 'kms_key_arn'),
    );
  },
};

export const vertexEncryption: Rule = {
  id: 'endpoints.vertex-encryption',
  family: 'endpoints',
  description:
    'A Vertex AI endpoint is encrypted with the configured Cloud KMS key when the stack has one (declared, or used for the artifact bucket).',
  fix: 'set encryption_spec { kms_key_name = <configured key> } on the google_vertex_ai_endpoint',
  check: (stack) => {
    const keys = gcpKeys(stack);
    return ofType(stack, 'google_vertex_ai_endpoint').flatMap((resource) =>
      keyCheck(
        resource,
        block(resource.config.encryption_spec).kms_key_name,
        keys,
        stack.declaredKeys.gcp,
        'encryption_spec.kms_key_name',
      ),
    );
  },
};

/** Service annotations that keep a cloud load balancer inside the network. */
export const INTERNAL_LOAD_BALANCER_ANNOTATIONS: Readonly<Record<string, string>> = {
  'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
  'service.beta.kubernetes.io/aws-load-balancer-internal': 'true',
  'networking.gke.io/load-balancer-type': 'Internal',
  'cloud.google.com/load-balancer-type': 'Internal',
};

/** Annotation that makes an EKS load balancer terminate TLS with an ACM certificate. */
export const AWS_TLS_CERT_ANNOTATION = 'service.beta.kubernetes.io/aws-load-balancer-ssl-cert';

export interface LoadBalancedService {
  readonly resource: ResourceView;
  readonly public: boolean;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: Json;
}

export function loadBalancedServices(stack: StackView): LoadBalancedService[] {
  return ofType(stack, 'kubernetes_service_v1', 'kubernetes_service')
    .map((resource) => ({
      resource,
      spec: block(resource.config.spec),
      metadata: block(resource.config.metadata),
    }))
    .filter(({ spec }) => spec.type === 'LoadBalancer' || spec.type === 'NodePort')
    .map(({ resource, spec, metadata }) => {
      const annotations: Record<string, string> = metadata.annotations ?? {};
      const internal = Object.entries(INTERNAL_LOAD_BALANCER_ANNOTATIONS).some(
        ([key, value]) => String(annotations[key]).toLowerCase() === value.toLowerCase(),
      );
      return { resource, spec, annotations, public: !internal };
    });
}

export const publicLoadBalancerSourceRanges: Rule = {
  id: 'endpoints.public-lb-source-ranges',
  family: 'endpoints',
  description:
    'An internet-facing load balancer admits only listed source ranges (never 0.0.0.0/0): an L4 Service through loadBalancerSourceRanges, a public Gateway through a Cloud Armor policy (GCPBackendPolicy securityPolicy) on each backend whose default rule denies.',
  fix: "list the client networks in the service's allowedIngressCidrs (load_balancer_source_ranges; behind a GKE Gateway a Cloud Armor policy), or make it internal (exposure: loadBalancer)",
  check: (stack) => [
    ...loadBalancedServices(stack)
      .filter((s) => s.public)
      .flatMap((s) => {
        const ranges = strings(s.spec.load_balancer_source_ranges);
        if (ranges.length === 0)
          return [{ resource: s.resource, message: 'public load balancer admits any address' }];
        return ranges.some((r) => ANY_ADDRESS.includes(r))
          ? [{ resource: s.resource, message: 'public load balancer source ranges include 0.0.0.0/0' }]
          : [];
      }),
    ...gateways(stack)
      .filter((g) => g.public)
      .flatMap((g) =>
        g.backendServices.flatMap((service) => {
          const attached = securityPolicyOf(stack, g.namespace, service);
          if (!attached) {
            return [
              {
                resource: g.resource,
                message: `public Gateway admits any address to Service ${service} (no Cloud Armor policy attached by a GCPBackendPolicy)`,
              },
            ];
          }
          if (!attached.policy) {
            return [
              {
                resource: g.resource,
                message: `Cloud Armor policy ${attached.name} of Service ${service} is not in the stack, so its rules cannot be checked`,
              },
            ];
          }
          const gap = securityPolicyGap(attached.policy);
          return gap
            ? [
                {
                  resource: g.resource,
                  message: `Cloud Armor policy ${attached.name} of Service ${service} admits any address: ${gap}`,
                },
              ]
            : [];
        }),
      ),
  ],
};

/** The server's API key variable (model-server/src/protocols/shared/api-key.ts reads it). */
export const API_KEYS_ENV = 'API_KEYS';

function selects(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

export const loadBalancerAuthentication: Rule = {
  id: 'endpoints.lb-requires-api-key',
  family: 'endpoints',
  description: `A service exposed beyond the cluster (LoadBalancer, NodePort, or the backend of a Gateway) selects only pods whose server requires an API key (${API_KEYS_ENV} taken from a Kubernetes Secret).`,
  fix: `set ${API_KEYS_ENV} on the server container with value_from.secret_key_ref to a Secret whose value Terraform generates (ModelServingService does this for load-balanced exposures)`,
  check: (stack) => {
    const pods = workloads(stack);
    return [...loadBalancedServices(stack), ...gatewayBackendServices(stack)].flatMap((service) => {
      const namespace = block(service.resource.config.metadata).namespace ?? 'default';
      const selected = pods.filter(
        (w) => String(w.namespace) === String(namespace) && selects(service.spec.selector ?? {}, w.podLabels),
      );
      if (selected.length === 0)
        return [{ resource: service.resource, message: 'selects no workload of the stack' }];
      return selected
        .filter(
          (w) =>
            !w.containers.some((c) =>
              blocks(c.env).some(
                (e) =>
                  e.name === API_KEYS_ENV && block(block(e.value_from).secret_key_ref).name !== undefined,
              ),
            ),
        )
        .map((w) => ({
          resource: service.resource,
          message: `exposes ${w.resource.address}, whose server requires no API key from a Secret`,
        }));
    });
  },
};

/** How to make each cloud's public load balancer terminate TLS (the project's config field, then the mechanism). */
export const TLS_FIXES = {
  eks: `set the service's awsCertificateArn: the NLB terminates TLS on 443 with the ACM certificate (annotation ${AWS_TLS_CERT_ANNOTATION})`,
  gke: `set the service's gcpDomain: a Gateway (class gke-l7-global-external-managed, an L7 load balancer; GKE's L4 one cannot terminate TLS) serves HTTPS on 443 with a Google-managed Certificate Manager certificate (annotation ${GKE_CERTMAP_ANNOTATION}) in front of a ClusterIP Service`,
  gateway: `serve HTTPS only: HTTPS listeners with a certificate (annotation ${GKE_CERTMAP_ANNOTATION} or tls.certificateRefs) and no HTTP listener (the service's gcpDomain does this)`,
} as const;

/** The cloud of a load-balanced Service: from its annotations, else from the stack's providers. */
function cloudOf(stack: StackView, service: LoadBalancedService): 'eks' | 'gke' | undefined {
  const keys = Object.keys(service.annotations);
  if (keys.some((k) => k.startsWith('service.beta.kubernetes.io/aws-'))) return 'eks';
  if (keys.some((k) => k.startsWith('cloud.google.com/') || k.startsWith('networking.gke.io/'))) return 'gke';
  if (stack.providers.google && !stack.providers.aws) return 'gke';
  if (stack.providers.aws && !stack.providers.google) return 'eks';
  return undefined;
}

export const publicLoadBalancerTls: Rule = {
  id: 'endpoints.public-lb-tls',
  family: 'endpoints',
  severity: 'warning',
  description:
    'An internet-facing load balancer terminates TLS; without it requests and the API key travel in clear.',
  fix: `configure a domain and certificate for the service (EKS: ${TLS_FIXES.eks}; GKE: ${TLS_FIXES.gke}), or keep it internal`,
  check: (stack) => [
    ...loadBalancedServices(stack)
      .filter((s) => s.public && s.annotations[AWS_TLS_CERT_ANNOTATION] === undefined)
      .map((s) => {
        const cloud = cloudOf(stack, s);
        return {
          resource: s.resource,
          message: 'plain HTTP on the internet: traffic and the API key travel in clear',
          ...(cloud ? { fix: `${TLS_FIXES[cloud]}, or keep it internal` } : {}),
        };
      }),
    ...gateways(stack)
      .filter((g) => g.public)
      .flatMap((g) => {
        const certificate =
          g.annotations[GKE_CERTMAP_ANNOTATION] !== undefined ||
          g.listeners.some((l) => blocks(block(l.tls).certificateRefs).length > 0);
        return g.listeners
          .filter((l) => l.protocol === 'HTTP' || (l.protocol === 'HTTPS' && !certificate))
          .map((l) => ({
            resource: g.resource,
            message:
              l.protocol === 'HTTP'
                ? `plain HTTP listener on port ${l.port} of a public Gateway: traffic and the API key travel in clear`
                : `HTTPS listener on port ${l.port} of a public Gateway has no certificate`,
            fix: TLS_FIXES.gateway,
          }));
      }),
  ],
};

/**
 * Services behind a Gateway of the stack (HTTPRoute backends), shaped like load-balanced ones so the
 * API key rule covers them too.
 */
function gatewayBackendServices(stack: StackView): LoadBalancedService[] {
  const backends = gateways(stack).flatMap((g) =>
    g.backendServices.map((name) => ({ namespace: g.namespace, name, public: g.public })),
  );
  return ofType(stack, 'kubernetes_service_v1', 'kubernetes_service').flatMap((resource) => {
    const metadata = block(resource.config.metadata);
    const namespace = namespaceName(stack, metadata.namespace);
    const backend = backends.find((b) => b.name === metadata.name && b.namespace === namespace);
    return backend
      ? [
          {
            resource,
            spec: block(resource.config.spec),
            annotations: metadata.annotations ?? {},
            public: backend.public,
          },
        ]
      : [];
  });
}

const SECRET_NAME = /(?:KEY|TOKEN|PASSWORD|SECRET|CREDENTIAL)S?$/i;

export const noLiteralSecrets: Rule = {
  id: 'endpoints.no-literal-secret-env',
  family: 'endpoints',
  description:
    'No container gets a key, token, password or secret as a literal environment value (it would sit in the synthesized JSON and in the Deployment).',
  fix: 'take the value from a Kubernetes Secret (value_from.secret_key_ref) whose value Terraform generates',
  check: (stack) =>
    workloads(stack).flatMap((w) =>
      w.containers.flatMap((c) =>
        blocks(c.env)
          .filter((e) => SECRET_NAME.test(String(e.name)) && e.value !== undefined)
          .map((e) => ({
            resource: w.resource,
            message: `container ${c.name}: ${e.name} is a literal value`,
          })),
      ),
    ),
};

export const ENDPOINT_RULES: readonly Rule[] = [
  sagemakerEncryption,
  vertexEncryption,
  publicLoadBalancerSourceRanges,
  loadBalancerAuthentication,
  publicLoadBalancerTls,
  noLiteralSecrets,
];
