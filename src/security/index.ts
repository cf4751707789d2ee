export { checkApp, evaluateApp, SecurityGateError } from './check-app';
export { declareEncryptionKey, exemptFromSecurityRule } from './exemptions';
export type { Exemption, Finding, Rule, RuleFamily, StackView, Violation } from './finding';
export { addSecurityGate, evaluateStack, type GateReport } from './gate';
export { ALL_RULES } from './rules';
