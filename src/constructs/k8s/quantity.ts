/**
 * Kubernetes resource quantities (`250m`, `1`, `512Mi`), checked stricter than the API server does: the
 * API accepts `512m` of memory (0.512 bytes), which is never what anyone means, so memory takes no `m`.
 */

/** CPU: whole or decimal cores, or millicores (`500m`). */
export const CPU_QUANTITY = /^(?:\d+(?:\.\d+)?|\d+m)$/;
/** Memory: bytes with an optional binary (Ki..Ei) or decimal (k..E) suffix. */
export const MEMORY_QUANTITY = /^\d+(?:\.\d+)?(?:Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

export const CPU_QUANTITY_HINT = 'a CPU quantity such as 250m, 0.5 or 2';
export const MEMORY_QUANTITY_HINT = 'a memory quantity such as 256Mi, 1Gi or 500M (no lowercase m)';

const SUFFIX_FACTORS: Readonly<Record<string, number>> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The quantity's value in base units (cores or bytes); undefined when it is not a quantity we accept. */
export function parseQuantity(kind: 'cpu' | 'memory', value: string): number | undefined {
  const pattern = kind === 'cpu' ? CPU_QUANTITY : MEMORY_QUANTITY;
  if (!pattern.test(value)) return undefined;
  const match = /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(value);
  if (!match) return undefined;
  // Both patterns admit only suffixes SUFFIX_FACTORS lists.
  return Number(match[1]) * SUFFIX_FACTORS[match[2]!]!;
}
