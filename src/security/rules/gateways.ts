import type { Json, ResourceView, StackView } from '../finding';
import { ANY_ADDRESS, block, blocks, ofType, referenced, strings } from '../json';

/** Annotation of a GKE Gateway that names its Certificate Manager certificate map. */
export const GKE_CERTMAP_ANNOTATION = 'networking.gke.io/certmap';
/** Priority of Cloud Armor's default rule: it decides for every source no other rule matches. */
const CLOUD_ARMOR_DEFAULT_PRIORITY = 2147483647;

/** A Kubernetes object of the stack's `kubernetes_manifest` resources. */
interface ManifestView {
  readonly resource: ResourceView;
  readonly name: string;
  readonly namespace: string;
  readonly manifest: Json;
}

function manifests(stack: StackView, kind: string): ManifestView[] {
  return ofType(stack, 'kubernetes_manifest')
    .map((resource) => ({ resource, manifest: block(resource.config.manifest) }))
    .filter(({ manifest }) => manifest.kind === kind)
    .map(({ resource, manifest }) => ({
      resource,
      manifest,
      name: String(block(manifest.metadata).name),
      namespace: namespaceName(stack, block(manifest.metadata).namespace),
    }));
}

/** A namespace as a name: a reference to a `kubernetes_namespace(_v1)` of the stack becomes its name. */
export function namespaceName(stack: StackView, value: unknown): string {
  const target = referenced(stack, value);
  if (target?.type.startsWith('kubernetes_namespace')) {
    return String(block(target.config.metadata).name);
  }
  return value === undefined ? 'default' : String(value);
}

export interface GatewayView extends ManifestView {
  readonly className: string;
  /** Internet-facing: an external GatewayClass (GKE: `…external…`, `gke-l7-gxlb`). */
  readonly public: boolean;
  readonly annotations: Readonly<Record<string, string>>;
  readonly listeners: readonly Json[];
  /** Names of the Services its HTTPRoutes forward to (in its namespace). */
  readonly backendServices: readonly string[];
}

export function gateways(stack: StackView): GatewayView[] {
  const routes = manifests(stack, 'HTTPRoute');
  return manifests(stack, 'Gateway').map((gateway) => {
    const spec = block(gateway.manifest.spec);
    const className = String(spec.gatewayClassName ?? '');
    const backendServices = routes
      .filter(
        (route) =>
          route.namespace === gateway.namespace &&
          blocks(block(route.manifest.spec).parentRefs).some(
            (ref) => (ref.kind ?? 'Gateway') === 'Gateway' && ref.name === gateway.name,
          ),
      )
      .flatMap((route) =>
        blocks(block(route.manifest.spec).rules).flatMap((rule) =>
          blocks(rule.backendRefs)
            .filter((ref) => (ref.kind ?? 'Service') === 'Service')
            .map((ref) => String(ref.name)),
        ),
      );
    return {
      ...gateway,
      className,
      public: /external|gxlb/.test(className),
      annotations: block(block(gateway.manifest.metadata).annotations),
      listeners: blocks(spec.listeners),
      backendServices: [...new Set(backendServices)],
    };
  });
}

/** The Cloud Armor policy a `GCPBackendPolicy` attaches to Service `service` in `namespace`, if any. */
export function securityPolicyOf(
  stack: StackView,
  namespace: string,
  service: string,
): { readonly name: string; readonly policy?: ResourceView } | undefined {
  const attached = manifests(stack, 'GCPBackendPolicy')
    .filter((p) => p.namespace === namespace)
    .map((p) => block(p.manifest.spec))
    .find((spec) => {
      const target = block(spec.targetRef);
      return target.kind === 'Service' && target.name === service;
    });
  const name = block(attached?.default).securityPolicy;
  if (typeof name !== 'string' || name === '') return undefined;
  const policy = ofType(stack, 'google_compute_security_policy').find(
    (p) => p.config.name === name || referenced(stack, name) === p,
  );
  return policy ? { name, policy } : { name };
}

/**
 * Why a Cloud Armor policy does not restrict the sources, or undefined when it does: its default rule
 * denies, and no allow rule admits any address.
 */
export function securityPolicyGap(policy: ResourceView): string | undefined {
  const rules = blocks(policy.config.rule);
  const sources = (rule: Json) => strings(block(block(rule.match).config).src_ip_ranges);
  const fallback = rules.find((rule) => Number(rule.priority) === CLOUD_ARMOR_DEFAULT_PRIORITY);
  if (!fallback || !String(fallback.action).startsWith('deny')) {
    return `its default rule (priority ${CLOUD_ARMOR_DEFAULT_PRIORITY}) does not deny`;
  }
  const open = rules.find(
    (rule) =>
      String(rule.action) === 'allow' &&
      (block(rule.match).expr !== undefined ||
        sources(rule).some((range) => range === '*' || ANY_ADDRESS.includes(range))),
  );
  return open ? `its rule at priority ${open.priority} allows any address or an expression` : undefined;
}
