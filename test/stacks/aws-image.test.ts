import { Testing } from 'cdktf';
import { parseConfig } from '../../src/config/load';
import { AwsImageStack } from '../../stacks/aws-image';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, checked field by field
type Json = Record<string, any>;

const HASH = '1'.repeat(64);
const PREBUILT = `123456789012.dkr.ecr.us-east-1.amazonaws.com/model-serving-demo@sha256:${'2'.repeat(64)}`;

function synth(input: unknown = {}): { text: string; json: Json; stack: AwsImageStack } {
  const config = parseConfig(input);
  const stack = new AwsImageStack(Testing.app(), 'aws-image', {
    stateBackend: config.stateBackend,
    project: config.project,
    environment: config.environment,
    region: config.aws.region,
    ...(config.aws.accountId ? { accountId: config.aws.accountId } : {}),
    image: config.image.aws,
    build: { sourceHash: HASH },
  });
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text), stack };
}

const count = (json: Json, type: string): number => Object.keys(json.resource?.[type] ?? {}).length;

describe('aws-image stack', () => {
  test('snapshot (build mode, defaults)', () => {
    expect(synth().text).toMatchSnapshot();
  });

  test('build mode: ECR repository, lifecycle, build and push, docker auth from the ECR token', () => {
    const { json } = synth();
    expect(count(json, 'aws_ecr_repository')).toBe(1);
    expect(count(json, 'aws_ecr_lifecycle_policy')).toBe(1);
    expect(count(json, 'docker_image')).toBe(1);
    expect(count(json, 'docker_registry_image')).toBe(1);
    expect(json.data.aws_ecr_authorization_token).toBeDefined();
    const auth = json.provider.docker[0].registry_auth[0];
    expect(auth).toEqual({
      address: `\${replace(data.aws_ecr_authorization_token.ecr-token.proxy_endpoint, "https://", "")}`,
      username: `\${data.aws_ecr_authorization_token.ecr-token.user_name}`,
      password: `\${data.aws_ecr_authorization_token.ecr-token.password}`,
    });
    const repo = Object.values(json.resource.aws_ecr_repository)[0] as Json;
    expect(repo).toMatchObject({
      image_tag_mutability: 'IMMUTABLE',
      force_delete: true,
      image_scanning_configuration: { scan_on_push: true },
    });
  });

  test('image_uri output is pinned by the pushed digest', () => {
    const { json } = synth();
    expect(json.output.image_uri.value).toMatch(
      /^\$\{aws_ecr_repository\.\w+\.repository_url\}@\$\{docker_registry_image\.\w+\.sha256_digest\}$/,
    );
  });

  test('provider: region, default tags, allowed account', () => {
    const { json } = synth({ aws: { region: 'eu-west-1', accountId: '123456789012' }, environment: 'prod' });
    expect(json.provider.aws[0]).toMatchObject({
      region: 'eu-west-1',
      allowed_account_ids: ['123456789012'],
      default_tags: [{ tags: { project: 'model-serving', service: 'aws-image', environment: 'prod' } }],
    });
  });

  test('prebuilt mode: digest recorded, no build, no docker provider or token', () => {
    const { json, stack } = synth({ image: { aws: { mode: 'prebuilt', uri: PREBUILT } } });
    expect(count(json, 'docker_image')).toBe(0);
    expect(count(json, 'docker_registry_image')).toBe(0);
    expect(json.provider.docker).toBeUndefined();
    expect(json.data?.aws_ecr_authorization_token).toBeUndefined();
    expect(json.output.image_uri.value).toBe(PREBUILT);
    expect(stack.imageUri).toBe(PREBUILT);
  });

  test('local backend path is relative', () => {
    expect(synth().json.terraform.backend.local.path).toBe('../../../terraform.aws-image.tfstate');
  });
});
