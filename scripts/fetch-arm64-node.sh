#!/usr/bin/env bash
# Fetches Debian's arm64 Node.js (18.x on Debian 12, N-API 9) with every arm64
# library it needs, unpacked into DIR (default .cache/arm64-node) as a small
# arm64 root file system, for the package test that runs the linux-arm64
# prebuild under qemu-user:
#   qemu-aarch64-static -L DIR \
#     -E LD_LIBRARY_PATH=DIR/lib/aarch64-linux-gnu:DIR/usr/lib/aarch64-linux-gnu \
#     DIR/usr/bin/node script.js
# (-L makes the loader and Debian's node find /lib/ld-linux-aarch64.so.1 and
# /usr/share/nodejs/... inside DIR.) Needs only `apt-get download` (no root),
# after root has run once: dpkg --add-architecture arm64 && apt-get update
# (.ci/run does). Prints DIR when done.
set -euo pipefail
dir="${1:-$(dirname "${BASH_SOURCE[0]}")/../.cache/arm64-node}"
# nodejs's Depends on Debian 12, followed one level (the JS ones are arch all).
packages=(nodejs:arm64 libnode108:arm64 libc6:arm64 libgcc-s1:arm64 libstdc++6:arm64 libc-ares2:arm64
  libbrotli1:arm64 libicu72:arm64 libnghttp2-14:arm64 libssl3:arm64 libuv1:arm64 zlib1g:arm64
  node-acorn node-cjs-module-lexer node-undici)

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "fetch-arm64-node: dpkg has no arm64 architecture; as root run:" >&2
  echo "  dpkg --add-architecture arm64 && apt-get update" >&2
  exit 1
fi
if [ -f "$dir/.complete" ]; then
  echo "$dir"
  exit 0
fi
rm -rf "$dir"
mkdir -p "$dir/debs"
(cd "$dir/debs" && apt-get download "${packages[@]}" >&2)
for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir"; done
rm -rf "$dir/debs"
touch "$dir/.complete"
echo "$dir"
