/** What the security gate reads and reports. Rules are pure functions over the synthesized JSON. */

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, read field by field
export type Json = Record<string, any>;

export type RuleFamily = 'storage' | 'iam' | 'clusters' | 'workloads' | 'endpoints' | 'tags';
export type Severity = 'error' | 'warning';

/** One resource (or data source) of a synthesized stack. */
export interface ResourceView {
  /** Terraform type, e.g. `aws_s3_bucket`. */
  readonly type: string;
  /** Logical name in the JSON (the construct's unique id). */
  readonly name: string;
  /** `type.name`: what Terraform and the JSON's references call it. */
  readonly address: string;
  /** Construct path (`stack/construct/…/resource`), where exemptions are looked up. */
  readonly path: string;
  /** The resource's block as synthesized. */
  readonly config: Json;
  /** Whether the binding of the resource has a top-level attribute (e.g. `tags`, `labels`). */
  readonly hasAttribute: (attribute: string) => boolean;
}

/** The synthesized stack as the rules see it. */
export interface StackView {
  readonly stackName: string;
  readonly resources: readonly ResourceView[];
  /** Data sources (`data.<type>.<name>`), read to follow references such as policy documents. */
  readonly dataSources: readonly ResourceView[];
  /** Provider blocks by provider name (`aws`, `google`, `kubernetes`, …). */
  readonly providers: Readonly<Record<string, readonly Json[]>>;
  /** Encryption keys the stack declared as the configured ones (see `declareEncryptionKey`). */
  readonly declaredKeys: { readonly aws: readonly string[]; readonly gcp: readonly string[] };
}

/** A broken rule on one resource: what is wrong and how to fix it. */
export interface Violation {
  readonly resource: ResourceView;
  readonly message: string;
  /** How to comply in this case, when it differs from the rule's general fix (e.g. per cloud). @default - the rule's fix */
  readonly fix?: string;
}

export interface Rule {
  /** Stable id, e.g. `storage.s3-tls-only`: what exemptions name. */
  readonly id: string;
  readonly family: RuleFamily;
  /** `warning` is reported but does not fail synth. @default 'error' */
  readonly severity?: Severity;
  /** One sentence: what the rule requires. */
  readonly description: string;
  /** How to comply (shown with each violation). */
  readonly fix: string;
  readonly check: (stack: StackView) => Violation[];
}

export interface Finding {
  readonly stack: string;
  readonly resource: string;
  readonly path: string;
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly fix: string;
}

export interface Exemption {
  readonly stack: string;
  readonly resource: string;
  readonly path: string;
  readonly rule: string;
  /** The violation let through (empty for a stale exemption). */
  readonly message: string;
  readonly reason: string;
}
