import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { EcrImage, type EcrImageProps } from '../../../src/constructs/aws/ecr-image';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, checked field by field
type Json = Record<string, any>;

const HASH = 'b'.repeat(64);
const PREBUILT = `123456789012.dkr.ecr.us-east-1.amazonaws.com/model-server@sha256:${'c'.repeat(64)}`;

function synth(props: Partial<EcrImageProps> = {}): { json: Json; image: EcrImage } {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new DockerProvider(stack, 'docker', {});
  const image = new EcrImage(stack, 'ecr', {
    repositoryName: 'model-serving-demo',
    source: { kind: 'build', sourceHash: HASH },
    ...props,
  });
  return { json: JSON.parse(Testing.synth(stack)), image };
}

const only = (json: Json, type: string): Json => {
  const all = Object.values(json.resource?.[type] ?? {}) as Json[];
  expect(all).toHaveLength(1);
  return all[0]!;
};

describe('EcrImage', () => {
  test('repository: immutable tags, scan on push, AES256, force delete', () => {
    const repo = only(synth().json, 'aws_ecr_repository');
    expect(repo).toMatchObject({
      name: 'model-serving-demo',
      image_tag_mutability: 'IMMUTABLE',
      image_scanning_configuration: { scan_on_push: true },
      encryption_configuration: [{ encryption_type: 'AES256' }],
      force_delete: true,
    });
  });

  test('KMS encryption with a customer managed key', () => {
    const key = 'arn:aws:kms:us-east-1:123456789012:key/abc';
    const repo = only(synth({ encryption: 'KMS', kmsKeyArn: key }).json, 'aws_ecr_repository');
    expect(repo.encryption_configuration).toEqual([{ encryption_type: 'KMS', kms_key: key }]);
  });

  test('lifecycle policy expires untagged images after N days and keeps the last N', () => {
    const policy = JSON.parse(
      only(synth({ untaggedExpiryDays: 3, keepLastImages: 5 }).json, 'aws_ecr_lifecycle_policy').policy,
    );
    expect(policy.rules).toEqual([
      expect.objectContaining({
        rulePriority: 1,
        selection: {
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: 3,
        },
        action: { type: 'expire' },
      }),
      expect.objectContaining({
        rulePriority: 2,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 },
        action: { type: 'expire' },
      }),
    ]);
  });

  test('build mode: builds model-server/ for linux/amd64 from a relative context, tag from the content hash, pushes', () => {
    const { json, image } = synth();
    const built = only(json, 'docker_image');
    expect(built.build).toEqual({
      context: '../../..',
      dockerfile: 'model-server/Dockerfile',
      platform: 'linux/amd64',
    });
    expect(built.name).toMatch(/\.repository_url\}:src-bbbbbbbbbbbbbbbb$/);
    expect(built.triggers).toEqual({ source_hash: HASH });
    const pushed = only(json, 'docker_registry_image');
    expect(pushed.triggers).toEqual({ source_hash: HASH });
    expect(pushed.keep_remotely).toBe(true);
    expect(image.imageUri).toMatch(/@\$\{TfToken/); // repository URL @ pushed digest (tokens)
  });

  test('a different source hash gives a different tag (immutable registry: every build a new tag)', () => {
    const other = only(synth({ source: { kind: 'build', sourceHash: 'd'.repeat(64) } }).json, 'docker_image');
    expect(other.name).toMatch(/:src-dddddddddddddddd$/);
  });

  test('prebuilt mode records the digest and builds nothing', () => {
    const { json, image } = synth({ source: { kind: 'prebuilt', uri: PREBUILT } });
    expect(json.resource.docker_image).toBeUndefined();
    expect(json.resource.docker_registry_image).toBeUndefined();
    expect(image.imageUri).toBe(PREBUILT);
    expect(only(json, 'aws_ecr_repository').image_tag_mutability).toBe('IMMUTABLE');
  });

  test('rejects a prebuilt image not pinned by digest, bad counts and a key without KMS', () => {
    expect(() =>
      synth({
        source: { kind: 'prebuilt', uri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/model-server:latest' },
        untaggedExpiryDays: 0,
        keepLastImages: -1,
        kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/abc',
      }),
    ).toThrow(
      /untaggedExpiryDays: got 0[\s\S]*keepLastImages: got -1[\s\S]*kmsKeyArn: [\s\S]*source\.uri: got ".*:latest"; expected an image pinned by digest/,
    );
  });
});
