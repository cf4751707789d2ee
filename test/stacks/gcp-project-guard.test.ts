import { Testing } from 'cdktf';
import {
  PLACEHOLDER_GCP_PROJECT_ID,
  PLACEHOLDER_GCP_PROJECT_MESSAGE,
} from '../../src/common/gcp-project-guard';
import { parseConfig } from '../../src/config/load';
import { buildApp } from '../../stacks/main';

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, checked field by field
type Json = Record<string, any>;

describe('every stack with a Google provider refuses the placeholder project before any API call', () => {
  const { app } = buildApp(parseConfig({}), Testing.app(), {
    imageSourceHash: '9'.repeat(64),
    today: new Date('2026-12-01T00:00:00Z'),
  });
  const stacks = app.node.children.map((stack) => ({
    name: stack.node.id,
    json: JSON.parse(Testing.synth(stack as Parameters<typeof Testing.synth>[0])) as Json,
  }));
  const google = stacks.filter(({ json }) => json.provider?.google !== undefined);

  test('the Google stacks are the GCP image, cluster, serving and Vertex stacks', () => {
    expect(google.map((s) => s.name).sort()).toEqual([
      'gcp-image',
      'gke-cluster',
      'gke-serving',
      'vertex-endpoint',
    ]);
  });

  test.each(['gcp-image', 'gke-cluster', 'gke-serving', 'vertex-endpoint'])('%s', (name) => {
    const { json } = google.find((s) => s.name === name)!;
    expect(json.provider.google[0].project).toBe(`\${var.gcp_project_id}`);
    expect(json.variable.gcp_project_id).toMatchObject({
      default: PLACEHOLDER_GCP_PROJECT_ID,
      validation: [
        {
          condition: `\${(var.gcp_project_id != "${PLACEHOLDER_GCP_PROJECT_ID}")}`,
          error_message: PLACEHOLDER_GCP_PROJECT_MESSAGE,
        },
      ],
    });
  });
});
