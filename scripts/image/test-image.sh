#!/usr/bin/env bash
# npm run test:image: builds the serving image offline with podman and runs the container contract tests
# (test/image, jest.image.config.js) against it. Installs podman & co. when missing (needs root and apt).
# Prints the image size and the figures the tests measured; removes every container the run started.
set -euo pipefail
cd "$(dirname "$0")/../.."

export PATH="$PATH:/usr/sbin:/sbin"
missing=()
for tool in podman buildah debootstrap runc; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]} > 0)); then
  echo "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # netavark needs iptables for published ports (only a Suggests of podman).
  apt-get install -y -q --no-install-recommends podman buildah debootstrap runc netavark aardvark-dns iptables
fi
source scripts/image/podman-env.sh

run_id="run-$$-$RANDOM"
export IMAGE_TEST_RUN_ID="$run_id"
work="$(mktemp -d /tmp/model-server-image-test.XXXXXX)"
export IMAGE_TEST_REPORT="$work/figures.txt"
: >"$IMAGE_TEST_REPORT"
cleanup() {
  # The tests remove their containers; this catches what an interrupted run left, by this run's label only.
  local ids
  ids="$(podman ps -a -q --filter "label=model-server-image-test=$run_id" 2>/dev/null || true)"
  if [[ -n "$ids" ]]; then
    # shellcheck disable=SC2086
    podman rm -f -t 0 $ids >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

bash scripts/image/build-image.sh

status=0
TMPDIR="$work" npx jest -c jest.image.config.js --ci "$@" || status=$?

echo
echo "== image figures =="
echo "image: $SERVING_IMAGE, $(podman image inspect --format '{{.Size}}' "$SERVING_IMAGE" |
  awk '{ printf "%.1f MB", $1 / 1e6 }') uncompressed"
cat "$IMAGE_TEST_REPORT"
exit "$status"
