import type { PrometheusRuleGroup } from './prometheus-rules';

/** An alert rule with its recording rules inlined: for evaluators that see raw series only. */
export interface StandaloneAlert {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The alerts of a group with every recording rule they read replaced by its expression. Cloud Monitoring
 * evaluates PromQL alert conditions over raw series (recording rules there would need a managed rule
 * evaluator); the selector after a recorded name is dropped, since the recording already selects the service.
 * The recording's labels are not added: the alert's own labels carry service and model.
 */
export function standaloneAlerts(group: PrometheusRuleGroup): StandaloneAlert[] {
  const recordings = new Map<string, string>();
  for (const rule of group.rules) if ('record' in rule) recordings.set(rule.record, rule.expr);
  const alerts: StandaloneAlert[] = [];
  for (const rule of group.rules) {
    if (!('alert' in rule)) continue;
    let expr = rule.expr;
    for (const [name, recorded] of recordings) {
      expr = expr.replace(new RegExp(`${escapeRegExp(name)}(\\{[^}]*\\})?`, 'g'), () => `(${recorded})`);
    }
    alerts.push({ ...rule, expr });
  }
  return alerts;
}
