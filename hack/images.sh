#!/usr/bin/env bash
# Builds Skiff's images from Go sources (hack/imagebuild) and imports them into the k8s.io
# namespace of Skiff's containerd, where the kubelet's pods find them.
# A user's own image archive (OCI or docker-archive tar) loads the same way:
#   ctr -n k8s.io --address $SKIFF_HOME/containerd/containerd.sock images import my-image.tar
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SKIFF_HOME=${SKIFF_HOME:-$ROOT/.skiff}
SOCK=$SKIFF_HOME/containerd/containerd.sock
cd "$ROOT"
go run ./hack/imagebuild -out _output/images "$@" | while read -r ref file; do
  ctr -n k8s.io --address "$SOCK" images import --no-unpack=false "$file" >/dev/null
  echo "imported $ref"
done
