import type { Json, ResourceView, StackView } from './finding';

/**
 * A nested block as a list: cdktf writes a single block as an object and repeated blocks as an array.
 */
export function blocks(value: unknown): Json[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter(
    (v): v is Json => typeof v === 'object' && v !== null,
  );
}

/** The first block, or `{}`. */
export function block(value: unknown): Json {
  return blocks(value)[0] ?? {};
}

/** A list attribute as strings (a lone string becomes a one-item list). */
export function strings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** Terraform booleans may be synthesized as strings (`"true"`). */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

export function isFalse(value: unknown): boolean {
  return value === false || value === 'false';
}

const REFERENCE = /^\$\{(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[^}]*\}$/;

/** The resource (or data source) an expression such as `${aws_s3_bucket.b.id}` refers to. */
export function referenced(stack: StackView, expression: unknown): ResourceView | undefined {
  if (typeof expression !== 'string') return undefined;
  const match = REFERENCE.exec(expression);
  if (!match) return undefined;
  const [, data, type, name] = match;
  const pool = data ? stack.dataSources : stack.resources;
  return pool.find((r) => r.type === type && r.name === name);
}

/** Whether `expression` is a reference to `target` or holds the same literal value as one of `literals`. */
export function pointsAt(
  expression: unknown,
  target: ResourceView,
  literals: readonly unknown[] = [],
): boolean {
  if (typeof expression !== 'string') return false;
  if (expression.startsWith(`\${${target.address}.`)) return true;
  return literals.some((literal) => literal !== undefined && literal === expression);
}

export function ofType(stack: StackView, ...types: string[]): ResourceView[] {
  return stack.resources.filter((r) => types.includes(r.type));
}

/** An IAM policy statement, normalised from a JSON policy document or an `aws_iam_policy_document`. */
export interface PolicyStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  readonly principals: string[];
  readonly conditions: { test: string; variable: string; values: string[] }[];
}

/** Statements of a policy attribute: a literal JSON document or a reference to a policy document data source. */
export function policyStatements(stack: StackView, policy: unknown): PolicyStatement[] | undefined {
  const source = referenced(stack, policy);
  if (source?.type === 'aws_iam_policy_document') return documentStatements(source.config);
  if (typeof policy !== 'string') return undefined;
  try {
    const document = JSON.parse(policy) as Json;
    return blocks(document.Statement).map(jsonStatement);
  } catch {
    return undefined;
  }
}

/** Statements of an `aws_iam_policy_document` data source. */
export function documentStatements(config: Json): PolicyStatement[] {
  return blocks(config.statement).map((s) => ({
    effect: s.effect === 'Deny' ? 'Deny' : 'Allow',
    actions: strings(s.actions),
    notActions: strings(s.not_actions),
    resources: strings(s.resources),
    principals: blocks(s.principals).flatMap((p) => strings(p.identifiers)),
    conditions: blocks(s.condition).map((c) => ({
      test: String(c.test),
      variable: String(c.variable),
      values: strings(c.values),
    })),
  }));
}

function jsonStatement(s: Json): PolicyStatement {
  const principal = s.Principal;
  const principals =
    principal === '*'
      ? ['*']
      : typeof principal === 'object' && principal !== null
        ? Object.values(principal as Json).flatMap(strings)
        : [];
  const conditions = Object.entries((s.Condition ?? {}) as Json).flatMap(([test, byVariable]) =>
    Object.entries(byVariable as Json).map(([variable, values]) => ({
      test,
      variable,
      values: strings(values),
    })),
  );
  return {
    effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
    actions: strings(s.Action),
    notActions: strings(s.NotAction),
    resources: strings(s.Resource),
    principals,
    conditions,
  };
}

/** Whether an IAM action pattern list covers `action` (`*`, `iam:*`, `iam:Pass*`, case-insensitive). */
export function coversAction(patterns: readonly string[], action: string): boolean {
  return patterns.some((pattern) => {
    const regex = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
    return regex.test(action);
  });
}

/** CIDRs that mean "any address". */
export const ANY_ADDRESS = ['0.0.0.0/0', '::/0'];
