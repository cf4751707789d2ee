import { UsageError } from './usage-error';

/** A numeric flag's value, or a usage error naming the flag and what it takes. */
export function numberFlag(
  value: string | undefined,
  flag: string,
  options: { readonly min?: number; readonly integer?: boolean } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  const min = options.min ?? 0;
  const ok = value.trim() !== '' && Number.isFinite(parsed) && parsed >= min;
  if (!ok || (options.integer && !Number.isInteger(parsed))) {
    throw new UsageError(
      `${flag} ${JSON.stringify(value)}: expected ${options.integer ? 'an integer' : 'a number'} >= ${min}`,
    );
  }
  return parsed;
}
