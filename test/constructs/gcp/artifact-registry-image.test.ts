import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import {
  ArtifactRegistryImage,
  type ArtifactRegistryImageProps,
} from '../../../src/constructs/gcp/artifact-registry-image';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, checked field by field
type Json = Record<string, any>;

const HASH = 'e'.repeat(64);
const PREBUILT = `us-central1-docker.pkg.dev/demo-project/model-serving-demo/model-server@sha256:${'f'.repeat(64)}`;

function synth(props: Partial<ArtifactRegistryImageProps> = {}): {
  json: Json;
  image: ArtifactRegistryImage;
} {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new GoogleProvider(stack, 'google', { project: 'demo-project', region: 'us-central1' });
  new DockerProvider(stack, 'docker', {});
  const image = new ArtifactRegistryImage(stack, 'registry', {
    repositoryId: 'model-serving-demo',
    location: 'us-central1',
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

describe('ArtifactRegistryImage', () => {
  test('Docker repository with immutable tags', () => {
    const repo = only(synth().json, 'google_artifact_registry_repository');
    expect(repo).toMatchObject({
      repository_id: 'model-serving-demo',
      location: 'us-central1',
      format: 'DOCKER',
      docker_config: { immutable_tags: true },
      cleanup_policy_dry_run: false,
    });
  });

  test('cleanup: delete untagged older than N days, delete old tagged, keep the most recent N', () => {
    const repo = only(
      synth({ untaggedExpiryDays: 2, taggedExpiryDays: 14, keepMostRecent: 4 }).json,
      'google_artifact_registry_repository',
    );
    expect(repo.cleanup_policies).toEqual([
      {
        id: 'delete-untagged',
        action: 'DELETE',
        condition: { tag_state: 'UNTAGGED', older_than: '172800s' },
      },
      {
        id: 'delete-old-tagged',
        action: 'DELETE',
        condition: { tag_state: 'TAGGED', older_than: '1209600s' },
      },
      { id: 'keep-most-recent', action: 'KEEP', most_recent_versions: { keep_count: 4 } },
    ]);
  });

  test('build mode pushes <location>-docker.pkg.dev/<project>/<repo>/model-server:<hash tag>', () => {
    const { json, image } = synth();
    const built = only(json, 'docker_image');
    expect(built.build).toEqual({
      context: '../../..',
      dockerfile: 'model-server/Dockerfile',
      platform: 'linux/amd64',
    });
    expect(built.name).toMatch(
      /^us-central1-docker\.pkg\.dev\/\$\{google_artifact_registry_repository\.\w+\.project\}\/\$\{google_artifact_registry_repository\.\w+\.repository_id\}\/model-server:src-eeeeeeeeeeeeeeee$/,
    );
    expect(only(json, 'docker_registry_image').triggers).toEqual({ source_hash: HASH });
    expect(image.registryHost).toBe('us-central1-docker.pkg.dev');
  });

  test('prebuilt mode records the digest and builds nothing', () => {
    const { json, image } = synth({ source: { kind: 'prebuilt', uri: PREBUILT } });
    expect(json.resource.docker_image).toBeUndefined();
    expect(json.resource.docker_registry_image).toBeUndefined();
    expect(image.imageUri).toBe(PREBUILT);
  });

  test('rejects a prebuilt image not pinned by digest and bad counts', () => {
    expect(() =>
      synth({
        source: { kind: 'prebuilt', uri: 'us-central1-docker.pkg.dev/p/r/model-server:v1' },
        keepMostRecent: 0,
      }),
    ).toThrow(
      /keepMostRecent: got 0; expected an integer >= 1[\s\S]*source\.uri: got ".*:v1"; expected an image pinned by digest/,
    );
  });
});
