import { Testing } from 'cdktf';
import { EksClusterStack } from '../../stacks/eks-cluster';

interface Synth {
  provider: { aws: Array<Record<string, unknown>> };
  output: Record<string, { value: string }>;
  terraform: { backend: Record<string, Record<string, unknown>> };
  resource: Record<string, Record<string, Record<string, unknown>>>;
}

function synth(): { json: string; parsed: Synth; stack: EksClusterStack } {
  const app = Testing.app();
  const stack = new EksClusterStack(app, 'eks-cluster', {
    region: 'eu-west-1',
    cluster: {
      clusterName: 'model-serving',
      adminPrincipalArns: ['arn:aws:iam::123456789012:role/Admin'],
      today: new Date('2026-12-01T00:00:00Z'),
    },
  });
  const json = Testing.synth(stack);
  return { json, parsed: JSON.parse(json) as Synth, stack };
}

describe('EksClusterStack', () => {
  const { json, parsed, stack } = synth();

  test('snapshot', () => {
    expect(json).toMatchSnapshot();
  });

  test('the AWS provider carries the project tags as default tags, in the stack region', () => {
    expect(parsed.provider.aws).toEqual([
      {
        region: 'eu-west-1',
        default_tags: [{ tags: { project: 'model-serving', service: 'eks-cluster', environment: 'demo' } }],
      },
    ]);
  });

  test('node instances and volumes carry the stack tags, which default_tags do not reach', () => {
    const templates = Object.values(parsed.resource.aws_launch_template!);
    expect(templates).toHaveLength(1);
    const tags = { project: 'model-serving', service: 'eks-cluster', environment: 'demo' };
    expect(templates[0]!.tag_specifications).toEqual([
      { resource_type: 'instance', tags },
      { resource_type: 'volume', tags },
    ]);
  });

  test('with an account id the AWS provider refuses any other account, as aws-image and eks-serving do', () => {
    const guarded = new EksClusterStack(Testing.app(), 'eks-cluster', {
      region: 'eu-west-1',
      accountId: '123456789012',
      cluster: { clusterName: 'model-serving', today: new Date('2026-12-01T00:00:00Z') },
    });
    const synthesized = JSON.parse(Testing.synth(guarded)) as Synth;
    expect(synthesized.provider.aws[0]!.allowed_account_ids).toEqual(['123456789012']);
    expect(parsed.provider.aws[0]!.allowed_account_ids).toBeUndefined();
  });

  test('resourceTags in the cluster props are added to the stack tags', () => {
    const stack = new EksClusterStack(Testing.app(), 'eks-cluster', {
      region: 'eu-west-1',
      environment: 'prod',
      cluster: {
        clusterName: 'model-serving',
        resourceTags: { 'cost-center': 'ml' },
        today: new Date('2026-12-01T00:00:00Z'),
      },
    });
    const synthesized = JSON.parse(Testing.synth(stack)) as Synth;
    const template = Object.values(synthesized.resource.aws_launch_template!)[0]!;
    const specs = template.tag_specifications as Array<{ tags: Record<string, string> }>;
    for (const spec of specs) {
      expect(spec.tags).toEqual({
        project: 'model-serving',
        service: 'eks-cluster',
        environment: 'prod',
        'cost-center': 'ml',
      });
    }
  });

  test('outputs: name, endpoint, region, kubeconfig command and OIDC provider', () => {
    expect(Object.keys(parsed.output).sort()).toEqual(
      ['cluster_endpoint', 'cluster_name', 'kubeconfig_command', 'oidc_provider_arn', 'region'].sort(),
    );
    expect(parsed.output.cluster_name!.value).toBe('model-serving');
    expect(parsed.output.region!.value).toBe('eu-west-1');
    expect(parsed.output.kubeconfig_command!.value).toBe(
      'aws eks update-kubeconfig --region eu-west-1 --name model-serving',
    );
    expect(parsed.output.cluster_endpoint!.value).toMatch(/^\$\{aws_eks_cluster\.[\w-]+\.endpoint\}$/);
    expect(parsed.output.oidc_provider_arn!.value).toMatch(
      /^\$\{aws_iam_openid_connect_provider\.[\w-]+\.arn\}$/,
    );
  });

  test('the cluster handle is exposed and named from props', () => {
    expect(stack.cluster.clusterName).toBe('model-serving');
    expect(Object.keys(parsed.resource.aws_eks_cluster!)).toHaveLength(1);
  });

  test('state is kept per stack under a relative path, and nothing machine-specific is synthesized', () => {
    expect(parsed.terraform.backend).toEqual({ local: { path: '../../../terraform.eks-cluster.tfstate' } });
    expect(json).not.toMatch(/\/(tmp|home|work|Users)\//);
  });
});
