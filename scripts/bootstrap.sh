#!/usr/bin/env bash
# Installs everything ovs-fleet needs on a Debian machine, as root: the system packages,
# the npm dependencies and the Open vSwitch source (for its protocol conformance tests).
# Idempotent and quick when nothing is missing. Called by `npm run demo` and `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { printf 'bootstrap: %s\n' "$*" >&2; exit 1; }
say() { printf 'bootstrap: %s\n' "$*"; }

[ "$(uname -s)" = Linux ] || fail "ovs-fleet needs Linux (network namespaces, veth, Open vSwitch); this is $(uname -s)."
[ "$(id -u)" = 0 ] || fail "run as root: the lab creates network namespaces, links and Open vSwitch daemons (try: sudo $0)."
command -v node >/dev/null || fail "Node.js >= 20.19 is missing (install it from nodejs.org or your distribution)."
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || fail "Node.js $(node --version) is too old: NestJS 12 needs >= 20.19."

# Debian packages, by the command or file each one provides.
PACKAGES=(
  openvswitch-switch   # ovsdb-server, ovs-vswitchd, ovs-vsctl, ovsdb-tool, vswitch.ovsschema, ovs-docker
  redis-server         # BullMQ's store; the lab runs its own instance
  iproute2             # ip: namespaces, veth, addresses
  python3              # libs/iproute starts processes through a small python3 helper (openvswitch-switch depends on it anyway)
  iputils-ping arping  # traffic checks in tests
  tcpdump              # packet captures in tests (neighbour advertisements, broadcast counts)
  podman runc uidmap   # real containers (and the Docker-compatible API) in the lab
  busybox-static       # the lab's local container image
  python3-openvswitch  # the reference Python IDL, a benchmark peer
  openvswitch-source   # OVS's own test suite, for the OVSDB conformance tests
  openssl              # test certificates
  git                  # npm test and CI check that the checkout is unchanged (git status, git hash-object)
)
missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
# ovs-docker (a benchmark and compatibility peer) runs `docker inspect`: any Docker CLI
# pointed at the lab's podman socket does; without one, podman-docker provides the command.
command -v docker >/dev/null || missing+=(podman-docker)
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || fail "missing packages (${missing[*]}) and no apt-get: install them by hand."
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || fail "apt-get update failed: check the machine's package sources."
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]} failed (see the output above)."
fi

# Network namespaces must work (a container without CAP_SYS_ADMIN cannot make them).
probe="ovf-probe-$$"
ip netns add "$probe" 2>/dev/null || fail "cannot create network namespaces ('ip netns add' failed): run on a host or a privileged container."
ip netns delete "$probe"

# Open vSwitch's own source tree: tests/ovsdb-idl.at and friends are the reference.
OVS_SRC=/var/cache/ovs-fleet/openvswitch
if [ ! -f "$OVS_SRC/tests/ovsdb-idl.at" ]; then
  tarball=$(dpkg -L openvswitch-source | grep -m1 'openvswitch\.tar\.gz$') || fail "openvswitch-source has no tarball"
  mkdir -p "$(dirname "$OVS_SRC")"
  tar -C "$(dirname "$OVS_SRC")" -xzf "$tarball"
fi

# npm dependencies, exactly as locked: `npm ci` never rewrites package-lock.json. Reinstall
# only when the lock file changed since the last install.
stamp=node_modules/.bootstrap-stamp
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error || fail "npm ci failed (see above)."
  touch "$stamp"
fi
