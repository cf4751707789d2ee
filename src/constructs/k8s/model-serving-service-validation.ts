import { Token } from 'cdktf';
import { PropsProblems } from '../props-problems';
import {
  DRAIN_ALLOWANCE_SECONDS,
  RESERVED_ENV,
  SERVICE_EXPOSURES,
  type ServiceExposure,
} from './model-serving-constants';
import { CPU_QUANTITY_HINT, MEMORY_QUANTITY_HINT, parseQuantity } from './quantity';

/** DNS-1035 label: what Kubernetes requires of Service names. */
export const DNS_1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** DNS-1123 label: what Kubernetes requires of namespace names. */
export const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** IPv4 or IPv6 CIDR, checked for shape (the API server checks the rest). */
export const CIDR = /^(?:(?:\d{1,3}\.){3}\d{1,3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;

export interface ResolvedServiceSettings {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  readonly modelName: string;
  readonly replicas: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly cpuTarget: number;
  readonly scaleDownWindow: number;
  readonly exposure: ServiceExposure;
  readonly servicePort: number;
  readonly preStopSleep: number;
  readonly shutdownDelay: number;
  readonly gracePeriod: number;
  readonly maxUnavailable: number;
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
  readonly allowedIngressCidrs: readonly string[];
  readonly allowedIngressNamespaces: readonly string[];
  readonly metricsScraperNamespaces: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

const known = (value: unknown): boolean => !Token.isUnresolved(value);
const show = (value: unknown): string => JSON.stringify(value);

/**
 * Cross-field and shape checks of the props; throws one error listing every problem with the value and
 * what is expected. Values that are unresolved tokens are skipped (known only at deploy time).
 */
export function validateModelServingServiceProps(id: string, s: ResolvedServiceSettings): void {
  const problems = new PropsProblems('ModelServingService', id);
  const problem = (field: string, value: unknown, expected: string) =>
    problems.add(`${field}: got ${show(value)}; expected ${expected}`);

  if (known(s.name) && !DNS_1035_LABEL.test(s.name)) {
    problem(
      'serviceName',
      s.name,
      'a DNS-1035 label: lowercase letters, digits and -, starting with a letter',
    );
  }
  if (known(s.namespace) && !DNS_1123_LABEL.test(s.namespace)) {
    problem('namespace', s.namespace, 'a DNS-1123 label: lowercase letters, digits and -');
  }
  if (known(s.image) && s.image.trim() === '') problem('image', s.image, 'an image reference');
  if (known(s.modelName) && s.modelName.trim() === '') problem('modelName', s.modelName, 'a model name');

  const counts: [string, number, number][] = [
    ['minReplicas', s.minReplicas, 1],
    ['maxReplicas', s.maxReplicas, 1],
    ['replicas', s.replicas, 1],
    ['maxUnavailable', s.maxUnavailable, 1],
  ];
  for (const [field, value, min] of counts) {
    if (known(value) && (!Number.isInteger(value) || value < min))
      problem(field, value, `an integer >= ${min}`);
  }
  if (known(s.minReplicas) && known(s.maxReplicas) && s.minReplicas > s.maxReplicas) {
    problem('minReplicas', s.minReplicas, `<= maxReplicas (${s.maxReplicas})`);
  }
  if (
    known(s.replicas) &&
    known(s.minReplicas) &&
    known(s.maxReplicas) &&
    (s.replicas < s.minReplicas || s.replicas > s.maxReplicas)
  ) {
    problem(
      'replicas',
      s.replicas,
      `between minReplicas (${s.minReplicas}) and maxReplicas (${s.maxReplicas})`,
    );
  }
  if (known(s.cpuTarget) && (!Number.isInteger(s.cpuTarget) || s.cpuTarget < 1 || s.cpuTarget > 100)) {
    problem('cpuTargetUtilizationPercent', s.cpuTarget, 'an integer from 1 to 100');
  }
  if (
    known(s.scaleDownWindow) &&
    (!Number.isInteger(s.scaleDownWindow) || s.scaleDownWindow < 0 || s.scaleDownWindow > 3600)
  ) {
    problem(
      'scaleDownStabilizationWindowSeconds',
      s.scaleDownWindow,
      'an integer from 0 to 3600 (the API limit)',
    );
  }
  if (!SERVICE_EXPOSURES.includes(s.exposure)) {
    problem('exposure', s.exposure, `one of the exposures (allowed: ${SERVICE_EXPOSURES.join(', ')})`);
  }
  if (
    known(s.servicePort) &&
    (!Number.isInteger(s.servicePort) || s.servicePort < 1 || s.servicePort > 65535)
  ) {
    problem('servicePort', s.servicePort, 'a port from 1 to 65535');
  }

  for (const [field, value] of [
    ['preStopSleepSeconds', s.preStopSleep],
    ['shutdownDelaySeconds', s.shutdownDelay],
    ['terminationGracePeriodSeconds', s.gracePeriod],
  ] as const) {
    if (known(value) && (!Number.isInteger(value) || value < 0)) problem(field, value, 'an integer >= 0');
  }
  if (
    [s.preStopSleep, s.shutdownDelay, s.gracePeriod].every(known) &&
    s.preStopSleep + s.shutdownDelay + DRAIN_ALLOWANCE_SECONDS > s.gracePeriod
  ) {
    problem(
      'terminationGracePeriodSeconds',
      s.gracePeriod,
      `>= preStopSleepSeconds (${s.preStopSleep}) + shutdownDelaySeconds (${s.shutdownDelay}) + ${DRAIN_ALLOWANCE_SECONDS} s to drain requests`,
    );
  }

  for (const kind of ['cpu', 'memory'] as const) {
    const hint = kind === 'cpu' ? CPU_QUANTITY_HINT : MEMORY_QUANTITY_HINT;
    const request = s.requests[kind];
    const limit = s.limits[kind];
    const requestValue = known(request) ? parseQuantity(kind, request) : undefined;
    const limitValue = known(limit) ? parseQuantity(kind, limit) : undefined;
    if (known(request) && requestValue === undefined) problem(`resources.requests.${kind}`, request, hint);
    if (known(limit) && limitValue === undefined) problem(`resources.limits.${kind}`, limit, hint);
    if (requestValue !== undefined && limitValue !== undefined && requestValue > limitValue) {
      problem(`resources.requests.${kind}`, request, `<= resources.limits.${kind} (${limit})`);
    }
  }

  s.allowedIngressCidrs.forEach((cidr, i) => {
    if (known(cidr) && !CIDR.test(cidr))
      problem(`allowedIngressCidrs[${i}]`, cidr, 'a CIDR such as 10.0.0.0/8');
  });
  const namespaceLists = [
    ['allowedIngressNamespaces', s.allowedIngressNamespaces],
    ['metricsScraperNamespaces', s.metricsScraperNamespaces],
  ] as const;
  for (const [field, list] of namespaceLists) {
    list.forEach((ns, i) => {
      if (known(ns) && !DNS_1123_LABEL.test(ns))
        problem(`${field}[${i}]`, ns, 'a namespace name (DNS-1123 label)');
    });
  }
  if (s.metricsScraperNamespaces.length === 0) {
    problem('metricsScraperNamespaces', [], 'at least one namespace (otherwise nothing can scrape metrics)');
  }
  for (const envName of Object.keys(s.env)) {
    if ((RESERVED_ENV as readonly string[]).includes(envName)) {
      problem(
        `env.${envName}`,
        s.env[envName],
        `a variable the construct does not set itself (reserved: ${RESERVED_ENV.join(', ')})`,
      );
    }
  }

  problems.throwIfAny();
}
