import { type App, TerraformStack } from 'cdktf';
import { evaluateStack, formatNotices, type GateReport, reportErrors } from './gate';

/** The gate failed: every violation and stale exemption of every stack, one per line. */
export class SecurityGateError extends Error {
  constructor(readonly lines: readonly string[]) {
    super(
      `Security gate: ${lines.length} problem(s); fix each, or exempt the resource with exemptFromSecurityRule(construct, rule, reason):\n${lines.map((l) => `  - ${l}`).join('\n')}`,
    );
    this.name = 'SecurityGateError';
  }
}

/** The gate over every stack of the app. */
export function evaluateApp(app: App): GateReport[] {
  return app.node.children
    .filter((child): child is TerraformStack => TerraformStack.isStack(child))
    .map((stack) => evaluateStack(stack));
}

/** Throws SecurityGateError when a stack breaks a rule; else returns the notices (exemptions, warnings) to print. */
export function checkApp(app: App): string[] {
  const reports = evaluateApp(app);
  const errors = reports.flatMap(reportErrors);
  if (errors.length > 0) throw new SecurityGateError(errors);
  return reports.flatMap(formatNotices);
}
