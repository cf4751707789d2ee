import { TerraformResource, type TerraformStack } from 'cdktf';
import { resolve } from 'cdktf/lib/_tokens';
import type { IConstruct } from 'constructs';
import { ENCRYPTION_KEY_METADATA, EXEMPTION_METADATA, type ExemptionRecord } from './exemptions';
import type { Exemption, Finding, Json, ResourceView, Rule, StackView } from './finding';
import { ALL_RULES } from './rules';

/** What the gate found in one stack. */
export interface GateReport {
  readonly stack: string;
  /** Violations of error rules that no exemption covers: synth fails on any. */
  readonly errors: readonly Finding[];
  /** Violations of warning rules (not exempted): reported, synth goes on. */
  readonly warnings: readonly Finding[];
  /** Violations let through by an exemption, with its reason. */
  readonly exemptions: readonly Exemption[];
  /** Exemptions that match no violation (construct path and rule): synth fails on any. */
  readonly staleExemptions: readonly Exemption[];
}

/** The synthesized stack (what `cdktf synth` writes) as the rules see it. */
export function stackView(stack: TerraformStack): StackView {
  const constructs = new Map<string, TerraformResource>();
  for (const node of stack.node.findAll()) {
    if (node instanceof TerraformResource) constructs.set(node.friendlyUniqueId, node);
  }
  const keys = { aws: [] as string[], gcp: [] as string[] };
  for (const entry of stack.node.metadata.filter((m) => m.type === ENCRYPTION_KEY_METADATA)) {
    const { cloud, key } = entry.data as { cloud: 'aws' | 'gcp'; key: string };
    keys[cloud].push(String(resolve(stack, key)));
  }
  return viewFromJson(stack.node.id, stack.toTerraform() as Json, {
    // Bindings have a `<attribute>Input` getter for every argument of the resource.
    hasArgument: (name, attribute) => {
      const construct = constructs.get(name);
      const camel = attribute.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
      return construct !== undefined && `${camel}Input` in construct;
    },
    declaredKeys: keys,
  });
}

export interface ViewOptions {
  /** Whether the binding of resource `name` has the argument (whether set or not). @default - only when set */
  readonly hasArgument?: (name: string, attribute: string) => boolean;
  readonly declaredKeys?: StackView['declaredKeys'];
}

/** A StackView over synthesized Terraform JSON (tests feed the rules JSON directly). */
export function viewFromJson(stackName: string, json: Json, options: ViewOptions = {}): StackView {
  const view = (type: string, name: string, config: Json, data: boolean): ResourceView => ({
    type,
    name,
    address: `${type}.${name}`,
    path: String(config['//']?.metadata?.path ?? `${stackName}/${name}`),
    config,
    hasAttribute: (attribute) =>
      config[attribute] !== undefined || (!data && (options.hasArgument?.(name, attribute) ?? false)),
  });
  const all = (section: Json | undefined, data: boolean): ResourceView[] =>
    Object.entries(section ?? {}).flatMap(([type, byName]) =>
      Object.entries(byName as Json).map(([name, config]) => view(type, name, config as Json, data)),
    );
  return {
    stackName,
    resources: all(json.resource, false),
    dataSources: all(json.data, true),
    providers: (json.provider ?? {}) as Record<string, Json[]>,
    declaredKeys: options.declaredKeys ?? { aws: [], gcp: [] },
  };
}

/** Exemptions recorded on the constructs of a stack, by construct path. */
function exemptionsOf(stack: TerraformStack): Map<string, ExemptionRecord[]> {
  const byPath = new Map<string, ExemptionRecord[]>();
  for (const node of stack.node.findAll() as IConstruct[]) {
    const records = node.node.metadata
      .filter((m: { type: string }) => m.type === EXEMPTION_METADATA)
      .map((m: { data: unknown }) => m.data as ExemptionRecord);
    if (records.length > 0) byPath.set(node.node.path, records);
  }
  return byPath;
}

/** Runs every rule over one stack and sorts the violations into errors, warnings and exemptions. */
export function evaluateStack(stack: TerraformStack, rules: readonly Rule[] = ALL_RULES): GateReport {
  const view = stackView(stack);
  const exemptions = exemptionsOf(stack);
  const used = new Set<string>();
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const exempted: Exemption[] = [];
  for (const rule of rules) {
    for (const violation of rule.check(view)) {
      const { resource } = violation;
      const finding: Finding = {
        stack: view.stackName,
        resource: resource.address,
        path: resource.path,
        rule: rule.id,
        severity: rule.severity ?? 'error',
        message: violation.message,
        fix: violation.fix ?? rule.fix,
      };
      const exemption = findExemption(exemptions, resource.path, rule.id);
      if (exemption) {
        used.add(`${exemption.path}\u0000${rule.id}`);
        exempted.push({ ...finding, reason: exemption.reason, path: resource.path });
      } else if (finding.severity === 'error') {
        errors.push(finding);
      } else {
        warnings.push(finding);
      }
    }
  }
  const staleExemptions: Exemption[] = [];
  for (const [path, records] of exemptions) {
    for (const record of records) {
      if (!used.has(`${path}\u0000${record.rule}`)) {
        staleExemptions.push({
          stack: view.stackName,
          resource: path,
          path,
          rule: record.rule,
          message: '',
          reason: record.reason,
        });
      }
    }
  }
  return { stack: view.stackName, errors, warnings, exemptions: dedupe(exempted), staleExemptions };
}

/** The nearest exemption for the rule on the resource's construct or one of its scopes. */
function findExemption(
  exemptions: Map<string, ExemptionRecord[]>,
  path: string,
  rule: string,
): { path: string; reason: string } | undefined {
  const parts = path.split('/');
  for (let i = parts.length; i > 0; i--) {
    const scope = parts.slice(0, i).join('/');
    const record = exemptions.get(scope)?.find((r) => r.rule === rule);
    if (record) return { path: scope, reason: record.reason };
  }
  return undefined;
}

function dedupe(exemptions: Exemption[]): Exemption[] {
  const seen = new Set<string>();
  return exemptions.filter((e) => {
    const key = `${e.resource}\u0000${e.rule}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One line per error: stack, resource, rule, what is wrong, and the fix. */
export function formatError(finding: Finding): string {
  return `${finding.stack}: ${finding.resource} (${finding.path}) breaks ${finding.rule}: ${finding.message}. Fix: ${finding.fix}.`;
}

export function formatStale(exemption: Exemption): string {
  return `${exemption.stack}: the exemption of ${exemption.path} from ${exemption.rule} matches no violation: remove it.`;
}

/** The gate's lines for synth output: exemptions with their reasons, then warnings. */
export function formatNotices(report: GateReport): string[] {
  return [
    ...report.exemptions.map(
      (e) => `security gate: ${e.stack}: ${e.resource} is exempt from ${e.rule} (${e.message}): ${e.reason}`,
    ),
    ...report.warnings.map(
      (w) => `security gate: warning: ${w.stack}: ${w.resource} ${w.rule}: ${w.message}. Fix: ${w.fix}.`,
    ),
  ];
}

/** Error lines of a report (violations and stale exemptions): synth fails when there is any. */
export function reportErrors(report: GateReport): string[] {
  return [...report.errors.map(formatError), ...report.staleExemptions.map(formatStale)];
}

/**
 * Makes the gate part of the stack's validation, which `app.synth()` (so `cdktf synth`) and
 * `Testing.synth(stack, true)` run: synth throws with one line per violation.
 */
export function addSecurityGate(stack: TerraformStack): void {
  stack.node.addValidation({
    validate: () => reportErrors(evaluateStack(stack)).map((line) => `security gate: ${line}`),
  });
}
