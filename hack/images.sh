#!/usr/bin/env bash
# Builds Skiff's images from Go sources (hack/imagebuild) and imports them into the k8s.io
# namespace of Skiff's containerd, where the kubelet's pods find them.
# A user's own image archive (OCI or docker-archive tar) loads the same way:
#   ctr -n k8s.io --address $SKIFF_HOME/containerd/containerd.sock images import my-image.tar
#
# Both steps are skipped when there is nothing to do, so `make up` stays fast: the archives
# are rebuilt only when their inputs changed (the image sources and busybox),
# and an archive is imported only when containerd does not already hold its ref with the
# same manifest digest (builds are reproducible, so equal inputs give equal digests).
#   hack/images.sh                 every image, skipping what is up to date
#   hack/images.sh pause demo-app-v1   rebuild and import just these
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SKIFF_HOME=${SKIFF_HOME:-$ROOT/.skiff}
SOCK=$SKIFF_HOME/containerd/containerd.sock
OUT=$ROOT/_output/images
cd "$ROOT"

ctr_() { ctr -n k8s.io --address "$SOCK" "$@"; }

# inputs_hash fingerprints everything an image is made of.
inputs_hash() {
  {
    find hack/imagebuild hack/images -type f -name '*.go' | LC_ALL=C sort | xargs sha256sum
    sha256sum /bin/busybox 2>/dev/null || echo "no busybox"
  } | sha256sum | cut -d' ' -f1
}

# archive_field prints a field of an archive's index.json (the ref or the manifest digest).
archive_ref() { tar -xOf "$1" index.json | grep -o '"io.containerd.image.name":"[^"]*"' | cut -d'"' -f4; }
archive_digest() { tar -xOf "$1" index.json | grep -o '"digest":"sha256:[0-9a-f]*"' | head -1 | cut -d'"' -f4; }

if [ $# -gt 0 ]; then
  go run ./hack/imagebuild -out "$OUT" "$@" | while read -r ref file; do
    ctr_ images import --no-unpack=false "$file" >/dev/null
    echo "imported $ref"
  done
  exit 0
fi

hash=$(inputs_hash)
if [ "$(cat "$OUT/.inputs" 2>/dev/null)" != "$hash" ] || ! ls "$OUT"/*.tar >/dev/null 2>&1; then
  echo "images: building from hack/images (inputs changed)"
  rm -f "$OUT/.inputs"
  go run ./hack/imagebuild -out "$OUT" >/dev/null
  echo "$hash" >"$OUT/.inputs"
fi

# What containerd holds now: "ref digest" lines.
have=$(ctr_ images ls 2>/dev/null | awk 'NR > 1 { print $1, $3 }')
imported=0
for file in "$OUT"/*.tar; do
  ref=$(archive_ref "$file")
  digest=$(archive_digest "$file")
  if grep -qxF "$ref $digest" <<<"$have"; then
    continue
  fi
  ctr_ images import --no-unpack=false "$file" >/dev/null
  echo "images: imported $ref ($digest)"
  imported=$((imported + 1))
done
[ "$imported" -gt 0 ] || echo "images: all up to date in containerd"
