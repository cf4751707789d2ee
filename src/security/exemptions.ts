import { TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';
import { ALL_RULES } from './rules';

/** Node metadata type under which exemptions are recorded on the exempted construct. */
export const EXEMPTION_METADATA = 'model-serving:security-exemption';
/** Node metadata type under which a stack records its configured encryption keys. */
export const ENCRYPTION_KEY_METADATA = 'model-serving:encryption-key';

/** A reason must say why the risk is accepted, not just that it is. */
export const MIN_REASON_LENGTH = 20;

export interface ExemptionRecord {
  readonly rule: string;
  readonly reason: string;
}

/**
 * Lets the resources under `scope` break one rule of the security gate, with the reason written down.
 * The only way past a rule: synth lists every exemption, and one that no longer matches a violation fails
 * synth (so none outlives its cause).
 */
export function exemptFromSecurityRule(scope: IConstruct, rule: string, reason: string): void {
  const known = ALL_RULES.map((r) => r.id);
  if (!known.includes(rule)) {
    throw new Error(
      `exemptFromSecurityRule(${scope.node.path}): unknown rule '${rule}' (allowed: ${known.join(', ')})`,
    );
  }
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(
      `exemptFromSecurityRule(${scope.node.path}, '${rule}'): the reason must say why the risk is accepted (at least ${MIN_REASON_LENGTH} characters)`,
    );
  }
  scope.node.addMetadata(EXEMPTION_METADATA, { rule, reason } satisfies ExemptionRecord);
}

/**
 * Records the encryption key configured for a stack's managed endpoints: the gate then requires SageMaker
 * endpoint configurations (`aws`) or Vertex AI endpoints (`gcp`) of the stack to use exactly this key.
 */
export function declareEncryptionKey(scope: IConstruct, cloud: 'aws' | 'gcp', key: string): void {
  TerraformStack.of(scope).node.addMetadata(ENCRYPTION_KEY_METADATA, { cloud, key });
}
