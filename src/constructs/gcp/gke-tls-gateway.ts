import { createHash } from 'node:crypto';
import { CertificateManagerCertificate } from '@cdktf/provider-google/lib/certificate-manager-certificate';
import { CertificateManagerCertificateMap } from '@cdktf/provider-google/lib/certificate-manager-certificate-map';
import { CertificateManagerCertificateMapEntry } from '@cdktf/provider-google/lib/certificate-manager-certificate-map-entry';
import { ComputeGlobalAddress } from '@cdktf/provider-google/lib/compute-global-address';
import {
  ComputeSecurityPolicy,
  type ComputeSecurityPolicyRule,
} from '@cdktf/provider-google/lib/compute-security-policy';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { READINESS_PATH } from '../k8s/model-serving-constants';

/**
 * GatewayClass of GKE's global external Application Load Balancer (Envoy-based, "managed"). An L4
 * passthrough load balancer cannot terminate TLS; this one can, with a Certificate Manager map.
 */
export const GKE_PUBLIC_GATEWAY_CLASS = 'gke-l7-global-external-managed';
/**
 * Gateway annotation naming the Certificate Manager certificate map the load balancer serves. GKE's
 * `ManagedCertificate` resource serves Ingress only; a Gateway takes a certificate map, Compute Engine SSL
 * certificates or Secrets, and a map cannot be combined with `tls.certificateRefs` on one Gateway.
 */
export const GKE_CERTMAP_ANNOTATION = 'networking.gke.io/certmap';
/**
 * Where the global external Application Load Balancer's proxies and health checks connect from to NEG
 * backends (Google Cloud "Load balancing firewall rules": 35.191.0.0/16 and 130.211.0.0/22).
 */
export const GOOGLE_FRONT_END_CIDRS: readonly string[] = ['35.191.0.0/16', '130.211.0.0/22'];
/**
 * The global external Application Load Balancer keeps idle connections to backends open for 600 s (fixed;
 * Google Cloud "Backend HTTP keepalive timeout"); the server must keep them longer, or a request the load
 * balancer sends just as the server closes the connection fails with a 502.
 */
export const GATEWAY_BACKEND_KEEP_ALIVE_SECONDS = 620;
/** Cloud Armor takes at most 10 source ranges per `SRC_IPS_V1` rule. */
export const CLOUD_ARMOR_RANGES_PER_RULE = 10;
/** Priority of Cloud Armor's default rule (the lowest), which every policy has. */
export const CLOUD_ARMOR_DEFAULT_RULE_PRIORITY = 2147483647;
/** Priority of the first allow rule; the next ones follow. */
const CLOUD_ARMOR_FIRST_ALLOW_PRIORITY = 1000;
export const HTTPS_PORT = 443;

/** Compute Engine and Certificate Manager names: at most 63 characters. */
const GCP_NAME_MAX_LENGTH = 63;
/** Longest suffix `gcpNames` adds. */
const LONGEST_SUFFIX = '-certs';
const NAME_HASH_LENGTH = 8;

/** Names of the Google resources of one service's Gateway, all within 63 characters. */
export function gcpNames(baseName: string): {
  address: string;
  certificate: string;
  certificateMap: string;
  certificateMapEntry: string;
  securityPolicy: string;
} {
  const room = GCP_NAME_MAX_LENGTH - LONGEST_SUFFIX.length;
  const base =
    baseName.length <= room
      ? baseName
      : // Long names that share a start still differ: the hash covers the whole name.
        `${baseName.slice(0, room - NAME_HASH_LENGTH - 1).replace(/-+$/, '')}-${createHash('sha256')
          .update(baseName)
          .digest('hex')
          .slice(0, NAME_HASH_LENGTH)}`;
  return {
    address: `${base}-ip`,
    certificate: `${base}-cert`,
    certificateMap: `${base}-certs`,
    certificateMapEntry: `${base}-entry`,
    securityPolicy: `${base}-armor`,
  };
}

export interface GkeTlsGatewayProps {
  /** Host name clients use; the Google-managed certificate is issued for it once DNS points at `address`. */
  readonly domain: string;
  /** Namespace of the Service; the Gateway, HTTPRoute and policies live there too. */
  readonly namespace: string;
  /** The ClusterIP Service the Gateway forwards to (a `ModelServingService` with `gatewayBackend`). */
  readonly serviceName: string;
  /** Port of that Service. */
  readonly servicePort: number;
  /** Container port the load balancer health-checks (the NEG endpoints are pod IP:this port). */
  readonly servingPort: number;
  /**
   * Start of the Google resources' names (address, certificate, map, Cloud Armor policy), unique in the
   * project; cut and hashed to fit 63 characters.
   */
  readonly gcpBaseName: string;
  /**
   * Client networks admitted: a Cloud Armor policy allows them and denies every other source (403).
   * @default [] - any source (no Cloud Armor policy)
   */
  readonly allowedSourceCidrs?: readonly string[];
  /** Health-checked path of the server (200 only when ready). @default READINESS_PATH */
  readonly healthCheckPath?: string;
  /** Labels of the Kubernetes resources (the Google ones get the provider's default labels). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Resources the Google resources wait for (the Certificate Manager API being enabled). @default [] */
  readonly googleDependsOn?: readonly ITerraformDependable[];
  /** Resources the Kubernetes objects wait for (the Service, so its namespace exists). @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * TLS in front of one GKE service: a global external Application Load Balancer made by the GKE Gateway
 * controller from a `Gateway` (class `gke-l7-global-external-managed`) with one HTTPS listener on 443 and
 * no plain-HTTP listener, a Google-managed Certificate Manager certificate for the domain (load balancer
 * authorization: issued once the domain's DNS points at the reserved address) served through a
 * certificate map (annotation `networking.gke.io/certmap`), a reserved global IPv4 address, an `HTTPRoute`
 * for the domain to the Service, a `HealthCheckPolicy` on the server's readiness route (the load balancer
 * checks `/` otherwise), and, for restricted sources, a Cloud Armor policy attached by a
 * `GCPBackendPolicy` (an L7 load balancer has no `loadBalancerSourceRanges`). Needs a cluster with the
 * Gateway API enabled and the Google and Kubernetes providers in the stack.
 */
export class GkeTlsGateway extends Construct {
  readonly domain: string;
  /** `https://<domain>` */
  readonly url: string;
  readonly address: ComputeGlobalAddress;
  readonly certificate: CertificateManagerCertificate;
  readonly certificateMap: CertificateManagerCertificateMap;
  readonly certificateMapEntry: CertificateManagerCertificateMapEntry;
  /** Restricts the sources, when `allowedSourceCidrs` lists any. */
  readonly securityPolicy?: ComputeSecurityPolicy;
  readonly gateway: Manifest;
  readonly route: Manifest;
  readonly healthCheckPolicy: Manifest;
  readonly backendPolicy?: Manifest;

  constructor(scope: Construct, id: string, props: GkeTlsGatewayProps) {
    super(scope, id);
    const names = gcpNames(props.gcpBaseName);
    const labels = { ...props.labels };
    this.domain = props.domain;
    this.url = `https://${props.domain}`;
    const googleDependsOn = [...(props.googleDependsOn ?? [])];

    this.address = new ComputeGlobalAddress(this, 'address', {
      name: names.address,
      addressType: 'EXTERNAL',
      ipVersion: 'IPV4',
      description: `Address of the Gateway of ${props.domain}: the DNS record points here`,
    });
    this.certificate = new CertificateManagerCertificate(this, 'certificate', {
      name: names.certificate,
      description: `Google-managed certificate of ${props.domain}`,
      // No dnsAuthorizations: load balancer authorization, which a global external load balancer supports.
      managed: { domains: [props.domain] },
      dependsOn: googleDependsOn,
    });
    this.certificateMap = new CertificateManagerCertificateMap(this, 'certificate-map', {
      name: names.certificateMap,
      description: `Certificates of the Gateway of ${props.domain}`,
      dependsOn: googleDependsOn,
    });
    this.certificateMapEntry = new CertificateManagerCertificateMapEntry(this, 'certificate-map-entry', {
      name: names.certificateMapEntry,
      map: this.certificateMap.name,
      hostname: props.domain,
      certificates: [this.certificate.id],
      dependsOn: googleDependsOn,
    });

    const sources = props.allowedSourceCidrs ?? [];
    if (sources.length > 0) {
      const allow: ComputeSecurityPolicyRule[] = chunks(sources, CLOUD_ARMOR_RANGES_PER_RULE).map(
        (ranges, k) => ({
          action: 'allow',
          priority: CLOUD_ARMOR_FIRST_ALLOW_PRIORITY + k,
          description: 'Allowed client networks',
          match: { versionedExpr: 'SRC_IPS_V1', config: { srcIpRanges: ranges } },
        }),
      );
      this.securityPolicy = new ComputeSecurityPolicy(this, 'security-policy', {
        name: names.securityPolicy,
        description: `Sources allowed to ${props.domain}`,
        type: 'CLOUD_ARMOR',
        rule: [
          ...allow,
          {
            action: 'deny(403)',
            priority: CLOUD_ARMOR_DEFAULT_RULE_PRIORITY,
            description: 'Every other source',
            match: { versionedExpr: 'SRC_IPS_V1', config: { srcIpRanges: ['*'] } },
          },
        ],
      });
    }

    // kubernetes_manifest checks the objects against the cluster at plan time, so they hold literal names
    // (known then), and depends_on orders them after the Google resources they name.
    const metadata = (name: string) => ({ name, namespace: props.namespace, labels });
    const serviceRef = { group: '', kind: 'Service', name: props.serviceName };
    const k8sDependsOn = [...(props.dependsOn ?? [])];
    this.gateway = new Manifest(this, 'gateway', {
      manifest: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: {
          ...metadata(props.serviceName),
          annotations: { [GKE_CERTMAP_ANNOTATION]: names.certificateMap },
        },
        spec: {
          gatewayClassName: GKE_PUBLIC_GATEWAY_CLASS,
          addresses: [{ type: 'NamedAddress', value: names.address }],
          // HTTPS only: no port-80 listener, so nothing (not even a redirect) answers in clear.
          listeners: [
            {
              name: 'https',
              protocol: 'HTTPS',
              port: HTTPS_PORT,
              allowedRoutes: { namespaces: { from: 'Same' } },
            },
          ],
        },
      },
      dependsOn: [...k8sDependsOn, this.address, this.certificateMapEntry],
    });
    this.route = new Manifest(this, 'route', {
      manifest: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: metadata(props.serviceName),
        spec: {
          parentRefs: [{ kind: 'Gateway', name: props.serviceName }],
          // Requests for other hosts (the bare IP address) get the load balancer's 404.
          hostnames: [props.domain],
          rules: [{ backendRefs: [{ name: props.serviceName, port: props.servicePort }] }],
        },
      },
      dependsOn: [...k8sDependsOn, this.gateway],
    });
    this.healthCheckPolicy = new Manifest(this, 'health-check-policy', {
      manifest: {
        apiVersion: 'networking.gke.io/v1',
        kind: 'HealthCheckPolicy',
        metadata: metadata(props.serviceName),
        spec: {
          default: {
            checkIntervalSec: 5,
            timeoutSec: 2,
            healthyThreshold: 1,
            unhealthyThreshold: 2,
            config: {
              type: 'HTTP',
              httpHealthCheck: {
                portSpecification: 'USE_FIXED_PORT',
                port: props.servingPort,
                requestPath: props.healthCheckPath ?? READINESS_PATH,
              },
            },
          },
          targetRef: serviceRef,
        },
      },
      dependsOn: k8sDependsOn,
    });
    if (this.securityPolicy) {
      this.backendPolicy = new Manifest(this, 'backend-policy', {
        manifest: {
          apiVersion: 'networking.gke.io/v1',
          kind: 'GCPBackendPolicy',
          metadata: metadata(props.serviceName),
          spec: { default: { securityPolicy: names.securityPolicy }, targetRef: serviceRef },
        },
        dependsOn: [...k8sDependsOn, this.securityPolicy],
      });
    }
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, k) =>
    items.slice(k * size, (k + 1) * size),
  );
}
