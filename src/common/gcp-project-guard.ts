import { Op, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';

/** The config's default GCP project id: a placeholder so synth works without a config, never deployable. */
export const PLACEHOLDER_GCP_PROJECT_ID = 'model-serving-demo';

/** What Terraform prints when a deploy meets the placeholder (a sentence, as Terraform requires). */
export const PLACEHOLDER_GCP_PROJECT_MESSAGE = `gcp.projectId is the placeholder '${PLACEHOLDER_GCP_PROJECT_ID}': set your project id with MS_GCP_PROJECT=<project-id> or gcp.projectId in model-serving.config.json, then run the cdktf command again.`;

/**
 * The stack's GCP project id as a Terraform variable whose validation refuses the placeholder. Terraform
 * evaluates it before configuring the Google provider (which reads it), so a deploy with the default
 * config stops before any API call, with a message saying how to set a real project. Synth with the
 * default config still works.
 */
export function guardedGcpProjectId(scope: Construct, projectId: string): string {
  const variable = new TerraformVariable(scope, 'gcp_project_id', {
    type: 'string',
    default: projectId,
    description: 'GCP project of every Google resource of this stack (gcp.projectId in the config).',
  });
  variable.addValidation({
    condition: Op.neq(variable.value, PLACEHOLDER_GCP_PROJECT_ID),
    errorMessage: PLACEHOLDER_GCP_PROJECT_MESSAGE,
  });
  return variable.stringValue;
}
