import { Testing } from 'cdktf';
import { parseConfig } from '../../src/config/load';
import { GcpImageStack } from '../../stacks/gcp-image';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, checked field by field
type Json = Record<string, any>;

const HASH = '3'.repeat(64);
const PREBUILT = `europe-west4-docker.pkg.dev/demo-project/model-serving-demo/model-server@sha256:${'4'.repeat(64)}`;

function synth(input: unknown = {}): { text: string; json: Json } {
  const config = parseConfig(input);
  const stack = new GcpImageStack(Testing.app(), 'gcp-image', {
    stateBackend: config.stateBackend,
    project: config.project,
    environment: config.environment,
    gcpProjectId: config.gcp.projectId,
    region: config.gcp.region,
    image: config.image.gcp,
    build: { sourceHash: HASH },
  });
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) };
}

const count = (json: Json, type: string): number => Object.keys(json.resource?.[type] ?? {}).length;

describe('gcp-image stack', () => {
  test('snapshot (build mode, defaults)', () => {
    expect(synth().text).toMatchSnapshot();
  });

  test('vulnerability scanning is off by default (billed per image) and on from config, with its API', () => {
    const repoOf = (json: Json) =>
      Object.values(json.resource.google_artifact_registry_repository)[0] as Json;
    const services = (json: Json) =>
      Object.values(json.resource.google_project_service as Record<string, Json>).map((s) => s.service);
    const off = synth().json;
    expect(repoOf(off).vulnerability_scanning_config).toEqual({ enablement_config: 'DISABLED' });
    expect(services(off)).not.toContain('containerscanning.googleapis.com');
    const on = synth({ image: { gcp: { vulnerabilityScanning: true } } }).json;
    expect(repoOf(on).vulnerability_scanning_config).toEqual({ enablement_config: 'INHERITED' });
    expect(services(on)).toContain('containerscanning.googleapis.com');
    const [key] = Object.entries(on.resource.google_project_service as Record<string, Json>).find(
      ([, s]) => s.service === 'containerscanning.googleapis.com',
    )!;
    expect(repoOf(on).depends_on).toContain(`google_project_service.${key}`);
    expect(() => synth({ image: { gcp: { vulnerabilityScanning: 'yes' } } })).toThrow(
      /image\.gcp\.vulnerabilityScanning/,
    );
  });

  test('Artifact Registry repo with immutable tags and cleanup, after the API is enabled', () => {
    const { json } = synth({ image: { gcp: { untaggedExpiryDays: 1, keepMostRecent: 3 } } });
    const repo = Object.values(json.resource.google_artifact_registry_repository)[0] as Json;
    expect(repo.docker_config).toEqual({ immutable_tags: true });
    expect(repo.cleanup_policies).toEqual(
      expect.arrayContaining([
        {
          id: 'delete-untagged',
          action: 'DELETE',
          condition: { tag_state: 'UNTAGGED', older_than: '86400s' },
        },
        { id: 'keep-most-recent', action: 'KEEP', most_recent_versions: { keep_count: 3 } },
      ]),
    );
    expect(repo.depends_on).toEqual(['google_project_service.api-artifactregistry']);
    expect(json.resource.google_project_service['api-artifactregistry']).toMatchObject({
      service: 'artifactregistry.googleapis.com',
      disable_on_destroy: false,
    });
  });

  test('build mode: docker auth with the access token as oauth2accesstoken on the regional host', () => {
    const { json } = synth();
    expect(count(json, 'docker_image')).toBe(1);
    expect(count(json, 'docker_registry_image')).toBe(1);
    expect(json.provider.docker[0].registry_auth[0]).toEqual({
      address: 'us-central1-docker.pkg.dev',
      username: 'oauth2accesstoken',
      password: `\${data.google_client_config.client.access_token}`,
    });
    expect(json.output.image_uri.value).toMatch(/@\$\{docker_registry_image\.\w+\.sha256_digest\}$/);
  });

  test('provider: project, region, default labels', () => {
    const { json } = synth({ gcp: { projectId: 'my-project-1', region: 'europe-west4' } });
    expect(json.provider.google[0]).toEqual({
      project: `\${var.gcp_project_id}`,
      region: 'europe-west4',
      default_labels: { project: 'model-serving', service: 'gcp-image', environment: 'demo' },
    });
    expect(json.variable.gcp_project_id.default).toBe('my-project-1');
  });

  test('prebuilt mode: digest recorded, no build, no docker provider', () => {
    const { json } = synth({
      gcp: { region: 'europe-west4' },
      image: { gcp: { mode: 'prebuilt', uri: PREBUILT } },
    });
    expect(count(json, 'docker_image')).toBe(0);
    expect(count(json, 'docker_registry_image')).toBe(0);
    expect(json.provider.docker).toBeUndefined();
    expect(json.output.image_uri.value).toBe(PREBUILT);
  });
});
