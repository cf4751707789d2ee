import type { Json, Rule } from '../../src/security/finding';
import { type ViewOptions, viewFromJson } from '../../src/security/gate';

/** Violations of one rule over a synthesized-JSON fragment, as `address: message`. */
export function violations(rule: Rule, json: Json, options: ViewOptions = {}): string[] {
  return rule.check(viewFromJson('test', json, options)).map((v) => `${v.resource.address}: ${v.message}`);
}

/** `{ resource: { [type]: { [name]: config } } }` */
export function resources(byType: Record<string, Record<string, Json>>, extra: Json = {}): Json {
  return { resource: byType, ...extra };
}
