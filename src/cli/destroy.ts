import { targetVerb } from './target-verb';

/** `npm run destroy -- <target>`: the target's stacks, dependents first, timed. */
export const destroyCommand = targetVerb(
  'destroy',
  "destroy a target's stacks, dependents first, timing each",
);
