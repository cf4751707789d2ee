/**
 * A mistake in how a command was called (a missing flag, an unknown target, an outputs file that is not
 * there): printed as one line without a stack trace, exit code 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A failure of the operation itself (the cloud API refused, an operation timed out): printed as one line
 * without a stack trace, exit code 1.
 */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}
