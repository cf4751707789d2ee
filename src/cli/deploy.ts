import { targetVerb } from './target-verb';

/** `npm run deploy -- <target>`: the target's stacks, dependencies first, timed. */
export const deployCommand = targetVerb(
  'deploy',
  "deploy a target's stacks in dependency order, timing each",
);
