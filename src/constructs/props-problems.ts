import { Token } from 'cdktf';

/**
 * A construct's props that cannot work, with every problem found: one synth shows everything to fix
 * (aws-cdk-lib's "Invalid … Props: …" pattern). The app prints it without a stack trace.
 */
export class InvalidPropsError extends Error {
  constructor(
    readonly construct: string,
    readonly id: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid ${construct} props for "${id}":\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidPropsError';
  }
}

/** Collects the problems of one construct's props; callers skip values that are unresolved tokens. */
export class PropsProblems {
  private readonly problems: string[] = [];

  constructor(
    private readonly construct: string,
    private readonly id: string,
  ) {}

  add(problem: string): void {
    this.problems.push(problem);
  }

  /** Throws one InvalidPropsError listing every problem, if there is any. */
  throwIfAny(): void {
    if (this.problems.length > 0) throw new InvalidPropsError(this.construct, this.id, this.problems);
  }
}

/** True when the value is known at synth time (not a token, not undefined). */
export function isKnown<T>(value: T | undefined): value is T {
  return value !== undefined && !Token.isUnresolved(value);
}

/** Adds a problem for each listed field that is set but not an integer >= 1 (days, counts). */
export function checkPositiveIntegers<P extends object>(
  problems: PropsProblems,
  props: P,
  fields: readonly (keyof P & string)[],
): void {
  for (const field of fields) {
    const value = props[field];
    if (value !== undefined && (!Number.isInteger(value) || (value as number) < 1)) {
      problems.add(`${field}: got ${String(value)}; expected an integer >= 1`);
    }
  }
}
