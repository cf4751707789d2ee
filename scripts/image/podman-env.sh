# Sourced by the image scripts: podman and buildah read the project's settings and store.
# shellcheck shell=bash
image_scripts_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CONTAINERS_CONF="$image_scripts_dir/containers.conf"
export CONTAINERS_STORAGE_CONF="$image_scripts_dir/storage.conf"
# The Node major the image ships (model-server/Dockerfile's BASE_IMAGE is node:22-bookworm-slim).
export NODE_MAJOR="${NODE_MAJOR:-22}"
export BASE_IMAGE_LOCAL="localhost/node-base:${NODE_MAJOR}"
export SERVING_IMAGE="${SERVING_IMAGE:-localhost/model-server:test}"
