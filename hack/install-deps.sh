#!/usr/bin/env bash
# Installs what a Skiff node needs, through apt, only when it is missing: containerd (the
# container runtime the kubelet drives over CRI), runc, the CNI plugins (bridge, host-local,
# loopback, portmap) and iptables (the proxy's Service rules). Needs root. Idempotent.
set -euo pipefail
need=()
command -v containerd >/dev/null 2>&1 || need+=(containerd)
command -v runc >/dev/null 2>&1 || need+=(runc)
[ -x /usr/lib/cni/bridge ] || need+=(containernetworking-plugins)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v curl >/dev/null 2>&1 || need+=(curl)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
if [ ${#need[@]} -eq 0 ]; then
  echo "install-deps: containerd, runc, CNI plugins and iptables are present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing ${need[*]}; run as root (apt-get install ${need[*]})" >&2
  exit 1
fi
echo "install-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq </dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" </dev/null >/dev/null
# Debian's containerd package enables a system-wide containerd; Skiff runs its own with its
# own root and socket, so the system one is left as the package set it up.
echo "install-deps: done"
