import { Testing } from 'cdktf';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/load';
import { monitoredServices, ruleOptions } from '../../src/observability/from-config';
import { ruleFile } from '../../src/observability/prometheus-rules';
import { EksServingStack } from '../../stacks/eks-serving';
import { buildApp } from '../../stacks/main';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, checked field by field
type Json = Record<string, any>;

const IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/model-serving-demo@sha256:${'6'.repeat(64)}`;

function synth(managed: boolean, input: Json = {}): Json {
  const config = parseConfig(input);
  const stack = new EksServingStack(Testing.app(), 'eks-serving', {
    stateBackend: config.stateBackend,
    project: config.project,
    environment: config.environment,
    region: config.aws.region,
    clusterName: config.eks.clusterName,
    image: IMAGE,
    services: config.services,
    ...(managed
      ? {
          managedPrometheus: {
            rules: ruleFile(monitoredServices(config), ruleOptions(config)),
            notificationEmails: config.observability.notificationEmails,
          },
        }
      : {}),
  });
  return JSON.parse(Testing.synth(stack)) as Json;
}
const all = (json: Json, type: string): Json[] => Object.values(json.resource?.[type] ?? {});
const only = (json: Json, type: string): Json => {
  const found = all(json, type);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const ref = (json: Json, type: string, attr: string) =>
  `\${${type}.${Object.keys(json.resource[type])[0]}.${attr}}`;

describe('eks-serving Amazon Managed Prometheus', () => {
  const json = synth(true, { observability: { notificationEmails: ['oncall@example.com'] } });

  it('is wired from config by the app when on', () => {
    const config = parseConfig({ observability: { eks: { managedPrometheus: true } } });
    const { stacks } = buildApp(config, Testing.app());
    const on = JSON.parse(Testing.synth(stacks.eksServing)) as Json;
    expect(all(on, 'aws_prometheus_scraper')).toHaveLength(1);
    expect(on.output.prometheus_workspace_endpoint.value).toBe(
      ref(on, 'aws_prometheus_workspace', 'prometheus_endpoint'),
    );
  });

  it('is off by default: no workspace, no scraper (they bill per hour and sample)', () => {
    const config = parseConfig({});
    expect(config.observability.eks.managedPrometheus).toBe(false);
    const { stacks } = buildApp(config, Testing.app());
    const defaults = JSON.parse(Testing.synth(stacks.eksServing)) as Json;
    expect(all(defaults, 'aws_prometheus_workspace')).toHaveLength(0);
    expect(all(defaults, 'aws_prometheus_scraper')).toHaveLength(0);
  });

  it('encrypts the workspace and the alert topic with a rotated key of its own', () => {
    const key = ref(json, 'aws_kms_key', 'arn');
    expect(only(json, 'aws_kms_key').enable_key_rotation).toBe(true);
    expect(only(json, 'aws_prometheus_workspace').kms_key_arn).toBe(key);
    expect(only(json, 'aws_sns_topic').kms_master_key_id).toBe(key);
  });

  it('scrapes the cluster from its subnets into the workspace, acting as the RBAC user it is bound to', () => {
    const scraper = only(json, 'aws_prometheus_scraper');
    expect(scraper.source[0].eks[0].cluster_arn).toMatch(/^\$\{data\.aws_eks_cluster\.cluster\.arn\}$/);
    expect(scraper.destination[0].amp[0].workspace_arn).toBe(ref(json, 'aws_prometheus_workspace', 'arn'));
    const config = parse(scraper.scrape_configuration);
    expect(config.scrape_configs.map((c: Json) => c.job_name)).toEqual([
      'pods',
      'kube-state-metrics',
      'cadvisor',
    ]);
    const access = only(json, 'aws_eks_access_entry');
    expect(access.principal_arn).toBe(ref(json, 'aws_prometheus_scraper', 'role_arn'));
    expect(access.user_name).toBe('aps-collector-user');
    const binding = only(json, 'kubernetes_cluster_role_binding_v1');
    expect(binding.subject).toEqual([
      { kind: 'User', name: 'aps-collector-user', api_group: 'rbac.authorization.k8s.io' },
    ]);
    const rules = only(json, 'kubernetes_cluster_role_v1').rule;
    for (const rule of rules)
      expect(rule.verbs.every((v: string) => ['get', 'list', 'watch'].includes(v))).toBe(true);
    expect(only(json, 'aws_eks_addon').addon_name).toBe('kube-state-metrics');
  });

  it('admits the scraper’s VPC addresses to the metrics port of each service, nothing else', () => {
    const policies = all(json, 'kubernetes_network_policy_v1').filter(
      (p) => p.metadata.name === 'metrics-from-managed-scraper',
    );
    expect(policies.map((p) => p.metadata.namespace).sort()).toEqual([
      'bankchurn',
      'chicagotaxi',
      'nlpinsight',
    ]);
    for (const p of policies) {
      expect(p.metadata.labels).toMatchObject({ project: 'model-serving', environment: 'demo' });
      expect(p.spec.ingress).toEqual([
        {
          from: [{ ip_block: { cidr: `\${data.aws_vpc.vpc.cidr_block}` } }],
          ports: [{ port: '9090', protocol: 'TCP' }],
        },
      ]);
    }
  });

  it('loads the generated rules and routes alerts to the topic, which only this workspace may publish to', () => {
    const rules = JSON.parse(only(json, 'aws_prometheus_rule_group_namespace').data);
    expect(rules.groups.map((g: Json) => g.name)).toEqual([
      'model-serving-bankchurn',
      'model-serving-chicagotaxi',
      'model-serving-nlpinsight',
    ]);
    const definition = parse(only(json, 'aws_prometheus_alert_manager_definition').definition);
    const alertmanager = JSON.parse(definition.alertmanager_config);
    expect(alertmanager.receivers[0].sns_configs[0].topic_arn).toBe(ref(json, 'aws_sns_topic', 'arn'));
    const [allow, deny] = JSON.parse(only(json, 'aws_sns_topic_policy').policy).Statement;
    expect(allow.Principal).toEqual({ Service: 'aps.amazonaws.com' });
    expect(allow.Condition.ArnEquals['aws:SourceArn']).toBe(ref(json, 'aws_prometheus_workspace', 'arn'));
    expect(deny.Effect).toBe('Deny');
    expect(only(json, 'aws_sns_topic_subscription')).toMatchObject({
      protocol: 'email',
      endpoint: 'oncall@example.com',
    });
  });
});
