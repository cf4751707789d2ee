/**
 * EKS Kubernetes versions and the last day of their standard support, from the Amazon EKS user guide's
 * release calendar ("Understand the Kubernetes version lifecycle on EKS",
 * https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html), checked 2026-12-01.
 * 1.36 was not listed in the documentation available when this table was checked; add it here (with
 * its date from that page) when it appears, and move DEFAULT_EKS_VERSION to it.
 */
export const EKS_STANDARD_SUPPORT_ENDS: Readonly<Record<string, string>> = {
  '1.31': '2025-11-26',
  '1.32': '2026-03-23',
  '1.33': '2026-07-29',
  '1.34': '2026-12-02',
  '1.35': '2027-03-27',
};

/** The newest version in the table: the default, so a new cluster starts with the longest standard support. */
export const DEFAULT_EKS_VERSION = '1.35';

/** Synth warns this many days before the end of standard support. */
export const EKS_SUPPORT_WARNING_DAYS = 60;

const DAY_MS = 86_400_000;

/** What synth says about a version on a given day. */
export type EksVersionStatus =
  | { readonly kind: 'standard'; readonly endsOn: string; readonly daysLeft: number }
  | { readonly kind: 'ending'; readonly endsOn: string; readonly daysLeft: number }
  | { readonly kind: 'ended'; readonly endsOn: string }
  | { readonly kind: 'unknown' };

/** `today` is a UTC date; a version is in standard support through its end date (inclusive). */
export function eksVersionStatus(version: string, today: Date): EksVersionStatus {
  const endsOn = EKS_STANDARD_SUPPORT_ENDS[version];
  if (endsOn === undefined) return { kind: 'unknown' };
  const day = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const daysLeft = Math.round((Date.parse(`${endsOn}T00:00:00Z`) - day) / DAY_MS);
  if (daysLeft < 0) return { kind: 'ended', endsOn };
  return daysLeft <= EKS_SUPPORT_WARNING_DAYS
    ? { kind: 'ending', endsOn, daysLeft }
    : { kind: 'standard', endsOn, daysLeft };
}

/** Versions in standard support on `today`, newest first (for messages). */
export function eksVersionsInStandardSupport(today: Date): string[] {
  return Object.keys(EKS_STANDARD_SUPPORT_ENDS)
    .filter((v) => eksVersionStatus(v, today).kind !== 'ended')
    .sort((a, b) => Number(b.split('.')[1]) - Number(a.split('.')[1]));
}
