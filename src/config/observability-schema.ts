import { z } from 'zod';
import {
  DEFAULT_BURN_RATE_WINDOWS,
  DEFAULT_RULE_OPTIONS,
  LATENCY_BUCKET_BOUNDS_SECONDS,
} from '../observability/options';

const DURATION = /^\d+[smhd]$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const percent = (fallback: number, what: string) =>
  z
    .number()
    .gt(0, { message: 'a percentage above 0 and below 100' })
    .lt(100, { message: 'a percentage above 0 and below 100' })
    .default(fallback)
    .describe(what);

const burnRateWindowSchema = z.strictObject({
  long: z.string().regex(DURATION, { message: 'a Prometheus duration such as 1h' }),
  short: z.string().regex(DURATION, { message: 'a Prometheus duration such as 5m' }),
  factor: z.number().positive({ message: 'a burn-rate factor above 0, such as 14.4' }),
  severity: z.enum(['page', 'ticket']),
});

/**
 * The `observability` section: alert thresholds (shared by the Prometheus rules, the Grafana dashboards and
 * the cloud alarms), where notifications go, and which per-target parts are created. Parts that cost
 * nothing while idle are on by default; the managed collector on EKS bills per hour and sample, so it is off.
 */
export const observabilitySchema = z
  .strictObject({
    latencyObjectivePercent: percent(
      DEFAULT_RULE_OPTIONS.latencyObjectivePercent,
      'Latency SLO: share of predictions (without explanations) under `latencyThresholdSeconds`.',
    ),
    latencyThresholdSeconds: z
      .number()
      .refine((v) => (LATENCY_BUCKET_BOUNDS_SECONDS as readonly number[]).includes(v), {
        message: `a bucket bound of the latency histogram (allowed: ${LATENCY_BUCKET_BOUNDS_SECONDS.join(', ')})`,
      })
      .default(DEFAULT_RULE_OPTIONS.latencyThresholdSeconds)
      .describe('Latency SLO threshold in seconds.'),
    burnRateWindows: z
      .array(burnRateWindowSchema)
      .min(1, { message: 'at least one window pair' })
      .default(DEFAULT_BURN_RATE_WINDOWS.map((w) => ({ ...w })))
      .describe('Multi-window burn-rate alerts (SRE workbook): `{long, short, factor, severity}` each.'),
    serverErrorPercent: percent(DEFAULT_RULE_OPTIONS.serverErrorPercent, '5xx share of requests that pages.'),
    clientErrorPercent: percent(
      DEFAULT_RULE_OPTIONS.clientErrorPercent,
      '4xx share of requests that opens a ticket.',
    ),
    explainP95Seconds: z
      .number()
      .positive({ message: 'seconds above 0' })
      .default(DEFAULT_RULE_OPTIONS.explainP95Seconds)
      .describe('p95 of explained requests (seconds) that opens a ticket.'),
    runbookBaseUrl: z
      .string()
      .min(1, { message: 'a URL of the README' })
      .default(DEFAULT_RULE_OPTIONS.runbookBaseUrl)
      .describe(
        "Base of each alert's runbook link (the alert's anchor is appended); set it to your README's URL.",
      ),
    notificationEmails: z
      .array(z.string().regex(EMAIL, { message: 'an email address' }))
      .default([])
      .describe('Who is notified: SNS email subscriptions (AWS) and email notification channels (GCP).'),
    sagemaker: z
      .strictObject({
        dashboard: z.boolean().default(true).describe('CloudWatch dashboard of the endpoint.'),
        alarmTopic: z
          .boolean()
          .optional()
          .describe(
            'Encrypted SNS topic that the endpoint alarms notify (subscribers: `notificationEmails`). Unset: made only when `notificationEmails` lists an address, since a topic nobody subscribes to notifies nobody and its KMS key bills by the month.',
          ),
      })
      .prefault({}),
    vertex: z
      .strictObject({
        dashboard: z.boolean().default(true).describe('Cloud Monitoring dashboard of the endpoint.'),
        alertPolicies: z
          .boolean()
          .default(false)
          .describe(
            'Cloud Monitoring alert policies on the error share and p99 latency (notified: `notificationEmails`); Cloud Monitoring bills $1.50 per condition-month.',
          ),
      })
      .prefault({}),
    eks: z
      .strictObject({
        managedPrometheus: z
          .boolean()
          .default(false)
          .describe(
            'eks-serving: Amazon Managed Prometheus workspace, managed scraper, kube-state-metrics add-on, the rules and an alert manager to SNS (billed per scraper-hour and per sample).',
          ),
      })
      .prefault({}),
    gke: z
      .strictObject({
        kubeStateMetrics: z
          .boolean()
          .default(false)
          .describe(
            'gke-cluster: collect pod, deployment, HPA, cAdvisor and kubelet metrics (billed as Managed Prometheus samples).',
          ),
        dashboard: z
          .boolean()
          .default(true)
          .describe('gke-serving: a Cloud Monitoring dashboard per service (PromQL).'),
        alertPolicies: z
          .boolean()
          .default(false)
          .describe(
            'gke-serving: the generated alerts as Cloud Monitoring PromQL alert policies (billed $1.50 per condition-month, 10 per service).',
          ),
      })
      .prefault({}),
  })
  .prefault({})
  .describe('Alerts, dashboards and notifications (observability).');

export type ObservabilityConfig = z.output<typeof observabilitySchema>;
