#!/usr/bin/env bash
# npm run test:mutation -- <group> [<group> ...]: runs StrykerJS on each module group in turn (stryker/groups.cjs).
# With no group, lists them. Extra Stryker flags go after `--`, e.g. `-- core -- --force` (every mutant, not only the changed ones).
set -euo pipefail
cd "$(dirname "$0")/.."
groups=$(node -e "console.log(Object.keys(require('./stryker/groups.cjs')).join(' '))")
selected=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do selected+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
if [ ${#selected[@]} -eq 0 ]; then
  echo "usage: npm run test:mutation -- <group> [<group> ...] [-- <stryker flags>]"
  echo "groups: $groups"
  exit 2
fi
for group in "${selected[@]}"; do
  case " $groups " in *" $group "*) ;; *) echo "unknown group '$group' (groups: $groups)" >&2; exit 2 ;; esac
done
export CHECKPOINT_DISABLE=1
export TMPDIR="${TMPDIR:-/tmp}/mutation-$$"
mkdir -p "$TMPDIR" reports/mutation
for group in "${selected[@]}"; do
  echo "== mutation testing: $group"
  MUTATION_GROUP="$group" npx stryker run stryker.config.cjs "$@"
  # Stryker runs without its type checker: mark the tested mutants that do not compile (see the script).
  npx tsx scripts/mutation-typecheck.ts "$group"
done
