import { Testing } from 'cdktf';
import { GkeClusterStack, type GkeClusterStackProps } from '../../stacks/gke-cluster';

interface Synth {
  provider: { google: Array<Record<string, unknown>>; time?: unknown[] };
  variable: Record<string, Record<string, unknown>>;
  output: Record<string, { value: string }>;
  terraform: { backend: Record<string, Record<string, unknown>> };
  resource: Record<string, Record<string, Record<string, unknown>>>;
}

function synth(
  cluster: Partial<GkeClusterStackProps['cluster']> = {},
  gcpProjectId = 'my-project',
): { json: string; parsed: Synth } {
  const stack = new GkeClusterStack(Testing.app(), 'gke-cluster', {
    gcpProjectId,
    region: 'europe-west1',
    cluster: { clusterName: 'model-serving', ...cluster },
  });
  const json = Testing.synth(stack);
  return { json, parsed: JSON.parse(json) as Synth };
}

describe('GkeClusterStack', () => {
  const { json, parsed } = synth();
  const cluster = Object.values(parsed.resource.google_container_cluster!)[0]!;

  test('snapshot', () => {
    expect(json).toMatchSnapshot();
  });

  test('the Google provider carries the project labels as default labels, with project and region', () => {
    expect(parsed.provider.google).toEqual([
      {
        project: `\${var.gcp_project_id}`,
        region: 'europe-west1',
        default_labels: { project: 'model-serving', service: 'gke-cluster', environment: 'demo' },
      },
    ]);
    expect(parsed.provider.time).toHaveLength(1);
  });

  test('the provider project is a variable that refuses the placeholder project id before any API call', () => {
    const { parsed: placeholder } = synth({}, 'model-serving-demo');
    const variable = placeholder.variable.gcp_project_id!;
    expect(variable.default).toBe('model-serving-demo');
    expect(variable.validation).toEqual([
      {
        condition: `\${(var.gcp_project_id != "model-serving-demo")}`,
        error_message:
          "gcp.projectId is the placeholder 'model-serving-demo': set your project id with MS_GCP_PROJECT=<project-id> or gcp.projectId in model-serving.config.json, then run the cdktf command again.",
      },
    ]);
    expect(parsed.variable.gcp_project_id!.default).toBe('my-project');
  });

  test('the cluster lives in the stack project and region', () => {
    expect(cluster.project).toBe('my-project');
    expect(cluster.location).toBe('europe-west1');
    expect(cluster.workload_identity_config).toEqual({ workload_pool: 'my-project.svc.id.goog' });
    expect(cluster.deletion_protection).toBe(false);
  });

  test('outputs: name, location and a regional kubeconfig command', () => {
    expect(Object.keys(parsed.output).sort()).toEqual(['cluster_name', 'kubeconfig_command', 'location']);
    expect(parsed.output.cluster_name!.value).toBe('model-serving');
    expect(parsed.output.location!.value).toBe('europe-west1');
    expect(parsed.output.kubeconfig_command!.value).toBe(
      'gcloud container clusters get-credentials model-serving --region europe-west1 --project my-project',
    );
  });

  test('a zonal cluster gets a --zone kubeconfig command', () => {
    const zonal = synth({ location: 'europe-west1-b' }).parsed;
    expect(zonal.output.kubeconfig_command!.value).toBe(
      'gcloud container clusters get-credentials model-serving --zone europe-west1-b --project my-project',
    );
  });

  test('the stack project and region win over those in the cluster props', () => {
    const overridden = synth({ projectId: 'other', region: 'us-central1' }).parsed;
    const c = Object.values(overridden.resource.google_container_cluster!)[0]!;
    expect(c.project).toBe('my-project');
    expect(c.location).toBe('europe-west1');
  });

  test('state is kept per stack under a relative path, and nothing machine-specific is synthesized', () => {
    expect(parsed.terraform.backend).toEqual({ local: { path: '../../../terraform.gke-cluster.tfstate' } });
    expect(json).not.toMatch(/\/(tmp|home|work|Users)\//);
  });
});
