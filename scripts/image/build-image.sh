#!/usr/bin/env bash
# Builds model-server/Dockerfile offline with podman: on the local base image (make-base-image.sh), with the
# host's npm cache mounted so `npm ci` inside the build needs no network. Tags $SERVING_IMAGE.
# Extra arguments go to `podman build` (e.g. --build-arg REVISION=$(git rev-parse HEAD)).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/image/podman-env.sh
bash scripts/image/make-base-image.sh

# A workspace-filtered `npm ci` needs the registry documents of its packages in the cache, which the host's
# full `npm ci` does not leave there: a scratch install of the server's dependencies (with its build tools)
# fills the cache (without network when everything is cached already).
npm_cache="$(npm config get cache)"
scratch="$(mktemp -d /var/tmp/model-server-deps.XXXXXX)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/model-server"
cp package.json package-lock.json "$scratch/"
cp model-server/package.json "$scratch/model-server/"
(cd "$scratch" && npm ci --prefer-offline --workspace model-server --include-workspace-root=false \
  --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)

# npm writes to its cache even offline: the overlay mount (:O) sends those writes to a throw-away layer, so
# the build can never change the host's cache.
started=$SECONDS
log="$scratch/build.log"
if ! podman build --pull=never --force-rm --network none \
  -f model-server/Dockerfile \
  --build-arg "BASE_IMAGE=$BASE_IMAGE_LOCAL" \
  --build-arg npm_config_cache=/npm-cache --build-arg npm_config_offline=true \
  --build-arg "REVISION=$(git rev-parse HEAD 2>/dev/null || true)" \
  -v "$npm_cache:/npm-cache:O" \
  -t "$SERVING_IMAGE" \
  "$@" . >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "podman build failed" >&2
  exit 1
fi
size="$(podman image inspect --format '{{.Size}}' "$SERVING_IMAGE")"
echo "built $SERVING_IMAGE in $((SECONDS - started)) s, $((size / 1000000)) MB (base $BASE_IMAGE_LOCAL)"
