import type { ModelServingConfig } from '../config/resolve';
import type { MonitoredService, ObservabilityRuleOptions } from './options';

/** The Kubernetes model services of a config, as the rules and dashboards see them. */
export function monitoredServices(config: ModelServingConfig): MonitoredService[] {
  return Object.entries(config.services).map(([name, s]) => ({ name, model: s.model }));
}

export function ruleOptions(config: ModelServingConfig): ObservabilityRuleOptions {
  const o = config.observability;
  return {
    latencyObjectivePercent: o.latencyObjectivePercent,
    latencyThresholdSeconds: o.latencyThresholdSeconds,
    burnRateWindows: o.burnRateWindows,
    serverErrorPercent: o.serverErrorPercent,
    clientErrorPercent: o.clientErrorPercent,
    explainP95Seconds: o.explainP95Seconds,
    runbookBaseUrl: o.runbookBaseUrl,
  };
}
