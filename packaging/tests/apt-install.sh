#!/usr/bin/env bash
# Proves the packages as an installer meets them, in clean Debian bookworm roots (debootstrap from Debian's mirror):
#   amd64: apt refuses an unsigned repository and a tampered package; `apt-get install nexwatt-agent` from the signed
#          repository (served on loopback) works; the service user reads its configuration; the agent run as that user
#          polls a hardware-sim on the host's loopback into its buffer; an upgrade to version+1 keeps the edited
#          configuration and the buffer; remove keeps the state, purge deletes it. Then `apt-get install
#          nexwatt-collector` in the same root: its own user and state directory, the collector run as that user on
#          the embedded store answers /healthz on loopback; remove keeps its state, purge deletes it.
#   arm64: the arm64 package installed with apt into an arm64 root, run there under qemu-user (qemu-aarch64-static
#          through binfmt_misc): `nexwatt-agent --version` and `nexwatt-agent read` against the same hardware-sim.
# Each check prints "ok: ..."; the first failure prints "FAIL: ..." and exits 1. A missing tool is a failure, not a skip.
# Needs root (debootstrap, chroot, mounts). Roots are cached as tarballs in $NEXWATT_ROOT_CACHE (/var/tmp/nexwatt-roots);
# every run unpacks a fresh copy. Environment: NEXWATT_HARDWARE_SIM (a built hardware-sim.dll; built here otherwise),
# NEXWATT_DEBIAN_MIRROR (http://deb.debian.org/debian), NEXWATT_APT_TEST_DEBS (a folder of .deb files built before:
# skips the publish, for quick runs; the test class leaves it unset).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
started=$SECONDS
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $* ($((SECONDS - started)) s)"; }

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot and mounts)"
python=/usr/bin/python3; [ -x "$python" ] || python=python3
for tool in debootstrap dpkg-deb reprepro gpg lintian python3 qemu-aarch64-static chroot mount dotnet sha256sum; do
  command -v "$tool" >/dev/null || fail "'$tool' is missing (Debian packages debootstrap, dpkg-dev, reprepro, gnupg, lintian, python3, qemu-user-static, binfmt-support; the .NET 10 SDK)"
done
mirror=${NEXWATT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${NEXWATT_ROOT_CACHE:-/var/tmp/nexwatt-roots}
work=$(mktemp -d /var/tmp/nexwatt-apt-test.XXXXXX)
pids=()
mounts=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
  gpgconf --homedir "$work/gnupg" --kill all 2>/dev/null || true
  # Never delete through a mount that is still there.
  for mounted in "${mounts[@]}"; do mountpoint -q "$mounted" && { echo "left $work: $mounted still mounted" >&2; return; }; done
  rm -rf "$work"
}
trap cleanup EXIT

# --- arm64 binaries run through binfmt_misc and qemu-user ---
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc ||
    fail "binfmt_misc cannot be mounted: arm64 programs cannot run under qemu-user here"
  cat /usr/lib/binfmt.d/qemu-aarch64.conf >/proc/sys/fs/binfmt_misc/register ||
    fail "qemu-aarch64 cannot be registered with binfmt_misc"
fi

# --- a throwaway signing key, the packages, the signed repository ---
export GNUPGHOME="$work/gnupg"
install -d -m 0700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key "Nexwatt test archive <test@nexwatt.invalid>" ed25519 sign 1d 2>/dev/null
(umask 077; gpg --batch --armor --export-secret-keys >"$work/signing-key.asc")
build() { NEXWATT_ARTIFACTS="$work/artifacts" NEXWATT_SIGNING_KEY_FILE="$work/signing-key.asc" bash "$repo/packaging/build.sh" "$@" >>"$work/build.log" 2>&1 ||
  { cat "$work/build.log"; fail "packaging/build.sh $* failed"; }; }
if [ -n "${NEXWATT_APT_TEST_DEBS:-}" ]; then
  # Packages built before (bash packaging/build.sh --no-repo): only the repository is made here.
  mkdir -p "$work/artifacts/deb"
  cp "$NEXWATT_APT_TEST_DEBS"/nexwatt-agent_*_{amd64,arm64}.deb "$NEXWATT_APT_TEST_DEBS"/nexwatt-collector_*_amd64.deb "$work/artifacts/deb/" ||
    fail "no nexwatt-agent amd64 and arm64 and nexwatt-collector amd64 .deb in $NEXWATT_APT_TEST_DEBS"
  build --repo-only
else
  # The agent for both architectures, the collector for amd64 only (its install is proven there); then one repository
  # of every package built.
  build --package nexwatt-agent --no-repo
  build --package nexwatt-collector --arch amd64
fi
apt_repo="$work/artifacts/apt"
version=$(dpkg-deb -f "$work/artifacts/deb/"nexwatt-agent_*_amd64.deb Version)
ok "build.sh: nexwatt-agent $version (amd64, arm64), nexwatt-collector (amd64), repository signed"

# version+1: the same package with a newer version and a changed example configuration, so that dpkg has to choose.
next="${version%%-*}.1-1"
unpacked="$work/next"
dpkg-deb -R "$work/artifacts/deb/nexwatt-agent_${version}_amd64.deb" "$unpacked"
sed -i "s/^Version: .*/Version: $next/" "$unpacked/DEBIAN/control"
sed -i 's/"SiteId": "site-0001"/"SiteId": "site-0001-new-example"/' "$unpacked/etc/nexwatt/agent.json"
dpkg-deb --root-owner-group -Zgzip -z1 --build "$unpacked" "$work/nexwatt-agent_${next}_amd64.deb" >/dev/null

# --- what is served: the good repository, one with a tampered package, one without signatures ---
serve="$work/serve"
mkdir -p "$serve"
ln -s "$apt_repo" "$serve/good"
cp -a "$apt_repo" "$serve/tampered"
"$python" - "$serve/tampered"/pool/main/n/nexwatt-agent/nexwatt-agent_"${version}"_amd64.deb <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
data[len(data) // 2] ^= 0xFF   # same size, one byte changed: only the hash can tell
open(path, "wb").write(data)
PY
cp -a "$apt_repo" "$serve/unsigned"
rm -f "$serve/unsigned/dists/bookworm/InRelease" "$serve/unsigned/dists/bookworm/Release.gpg"
"$python" -u -m http.server --bind 127.0.0.1 --directory "$serve" 0 >"$work/http.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q "port [0-9]" "$work/http.log" && break; sleep 0.1; done
http_port=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$work/http.log" | head -n1)
[ -n "$http_port" ] || fail "python3 http.server did not start: $(cat "$work/http.log")"

# --- hardware-sim on the host's loopback ---
sim=${NEXWATT_HARDWARE_SIM:-}
if [ -z "$sim" ]; then
  dotnet build "$repo/hardware-sim/Nexwatt.HardwareSim/Nexwatt.HardwareSim.csproj" -o "$work/sim" -nologo -v quiet -clp:ErrorsOnly >/dev/null
  sim="$work/sim/hardware-sim.dll"
fi
dotnet "$sim" serve --inverter 0 --no-table >"$work/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do grep -q "READY all" "$work/sim.log" && break; sleep 0.1; done
sim_port=$(sed -n 's/^READY inverter .*endpoint=127.0.0.1:\([0-9]*\).*/\1/p' "$work/sim.log")
[ -n "$sim_port" ] || fail "hardware-sim did not start: $(cat "$work/sim.log")"
ok "repository served on 127.0.0.1:$http_port, hardware-sim inverter on 127.0.0.1:$sim_port"

# --- clean roots ---
root_tarball() { # arch -> cached tarball of a minimal bookworm root
  local arch=$1 tarball="$cache/bookworm-$1.tar" tmp
  if [ ! -s "$tarball" ]; then
    mkdir -p "$cache"
    tmp=$(mktemp -d "$cache/build-$arch.XXXXXX")
    if [ "$arch" = amd64 ]; then
      debootstrap --variant=minbase bookworm "$tmp" "$mirror" >"$tmp.log" 2>&1 || { tail -20 "$tmp.log" >&2; fail "debootstrap amd64"; }
    else
      # Under qemu every program is slow: the arm64 root carries the package's dependencies, so that apt there needs
      # only our repository's small index.
      debootstrap --variant=minbase --arch arm64 --foreign --include=adduser,libssl3,ca-certificates bookworm "$tmp" "$mirror" >"$tmp.log" 2>&1 &&
        chroot "$tmp" /debootstrap/debootstrap --second-stage >>"$tmp.log" 2>&1 || { tail -20 "$tmp.log" >&2; fail "debootstrap arm64"; }
    fi
    tar -C "$tmp" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
    rm -rf "$tmp" "$tmp.log"
  fi
  echo "$tarball"
}
new_root() { # arch dir
  local tarball
  tarball=$(root_tarball "$1") || exit 1
  mkdir -p "$2"
  tar -C "$2" -xf "$tarball"
  chmod 0755 "$2"   # the tarball's "." is debootstrap's mktemp folder (0700): the service user must reach /
  # /dev is debootstrap's own few nodes (null, zero, urandom...): no bind mount of the host's devices.
  mount -t proc proc "$2/proc"; mounts+=("$2/proc")
  install -m 0644 "$apt_repo/nexwatt-archive-keyring.gpg" "$2/usr/share/keyrings/nexwatt-archive-keyring.gpg"
}
in_root() { local root=$1; shift; chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
use_repo() { # root flavour: the only Nexwatt source, with the shipped keyring
  echo "deb [signed-by=/usr/share/keyrings/nexwatt-archive-keyring.gpg] http://127.0.0.1:$http_port/$2 bookworm main" >"$1/etc/apt/sources.list.d/nexwatt.list"
}
apt_quiet=(-q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

amd64="$work/root-amd64"
new_root amd64 "$amd64"
# Owner and group by name as the root knows them (the host's names for the same ids differ).
mode_of() { in_root "$amd64" stat -c '%U:%G %a' "$1"; }
ok "clean amd64 bookworm root"

use_repo "$amd64" unsigned
if in_root "$amd64" apt-get update -q >"$work/unsigned.log" 2>&1 && in_root "$amd64" apt-get install "${apt_quiet[@]}" nexwatt-agent >>"$work/unsigned.log" 2>&1; then
  cat "$work/unsigned.log"; fail "apt installed from an unsigned repository"
fi
grep -q "is not signed" "$work/unsigned.log" || { cat "$work/unsigned.log"; fail "unsigned repository refused for another reason"; }
ok "apt refuses the unsigned repository: $(grep -m1 'is not signed' "$work/unsigned.log")"

use_repo "$amd64" tampered
in_root "$amd64" apt-get update -q >"$work/tampered.log" 2>&1 || { cat "$work/tampered.log"; fail "apt-get update (tampered package, signed index)"; }
if in_root "$amd64" apt-get install "${apt_quiet[@]}" nexwatt-agent >>"$work/tampered.log" 2>&1; then cat "$work/tampered.log"; fail "apt installed a tampered package"; fi
grep -Eq "Hash Sum mismatch|Hashes of expected file" "$work/tampered.log" || { cat "$work/tampered.log"; fail "tampered package refused for another reason"; }
[ ! -e "$amd64/usr/bin/nexwatt-agent" ] || fail "the tampered package left files behind"
in_root "$amd64" apt-get clean
ok "apt refuses the tampered package (hash mismatch)"

use_repo "$amd64" good
in_root "$amd64" apt-get update -q >"$work/install.log" 2>&1 && in_root "$amd64" apt-get install "${apt_quiet[@]}" nexwatt-agent >>"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "apt-get update && apt-get install nexwatt-agent"; }
reported=$(in_root "$amd64" nexwatt-agent --version)
[ "$reported" = "${version%%-*}" ] || [[ "$reported" == "${version%%-*}+"* ]] || fail "nexwatt-agent --version printed '$reported', expected ${version%%-*}"
ok "apt-get install nexwatt-agent from the signed repository; nexwatt-agent --version: $reported"

installed_as_debian_lays_it_out() { # package configuration-file: the user, owners and modes, the unit, the conffile
  local package=$1 config=/etc/nexwatt/$2
  in_root "$amd64" getent passwd nexwatt >/dev/null || fail "$package: no system user nexwatt"
  [ "$(mode_of /etc/nexwatt)" = "root:nexwatt 750" ] || fail "/etc/nexwatt is $(mode_of /etc/nexwatt), expected root:nexwatt 750"
  [ "$(mode_of "$config")" = "root:nexwatt 640" ] || fail "$config is $(mode_of "$config")"
  [ "$(mode_of "/var/lib/$package")" = "nexwatt:nexwatt 750" ] || fail "/var/lib/$package is $(mode_of "/var/lib/$package")"
  [ -f "$amd64/lib/systemd/system/$package.service" ] || fail "no $package unit installed"
  in_root "$amd64" dpkg-query -W -f='${Conffiles}' "$package" | grep -q "$config" || fail "$config is not a conffile"
}
installed_as_debian_lays_it_out nexwatt-agent agent.json
ok "user nexwatt, /etc/nexwatt root:nexwatt 750 and agent.json 640 (conffile), /var/lib/nexwatt-agent nexwatt 750, unit installed"

# The installer edits the configuration: this site, the simulated inverter, no uplink (readings stay in the buffer).
"$python" - "$amd64/etc/nexwatt/agent.json" "$sim_port" <<'PY'
import json, sys
path, port = sys.argv[1], int(sys.argv[2])
config = json.load(open(path))
agent = config["Agent"]
agent["SiteId"] = "site-apt-test"
agent["Devices"] = [{"Id": "inverter-sim", "Type": "sunspec", "Host": "127.0.0.1", "Port": port, "UnitId": 1, "PollInterval": "00:00:01"}]
for uplink in ("Grpc", "Mqtt"):
    agent["Uplink"].setdefault(uplink, {})["Enabled"] = False
agent.pop("Dispatch", None)
json.dump(config, open(path, "w"), indent=2)
PY
# The service user, as the unit runs it, reads /etc/nexwatt/agent.json and fills its buffer.
set +e
timeout -s TERM 20 chroot --userspec=nexwatt:nexwatt "$amd64" /usr/bin/env -i PATH=/usr/bin:/bin /usr/bin/nexwatt-agent run >"$work/agent.log" 2>&1
status=$?
set -e
[ "$status" -eq 0 ] || [ "$status" -eq 124 ] || { cat "$work/agent.log"; fail "the agent as user nexwatt exited with $status"; }
readings=$("$python" - "$amd64/var/lib/nexwatt-agent/buffer.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)   # read-only: no checkpoint, the file stays as it was
tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
print(sum(db.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables))
PY
) || { cat "$work/agent.log"; fail "no buffer written by the agent"; }
[ "$readings" -gt 0 ] || { cat "$work/agent.log"; fail "the buffer is empty after 20 s of polling"; }
state_sum() { (cd "$amd64/var/lib/nexwatt-agent" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
buffer_sum=$(state_sum)
config_sum=$(sha256sum <"$amd64/etc/nexwatt/agent.json")
ok "the agent as user nexwatt read its configuration and buffered $readings rows from hardware-sim"

GNUPGHOME="$work/gnupg" reprepro --silent --basedir "$work/artifacts/reprepro" --outdir "$apt_repo" includedeb bookworm "$work/nexwatt-agent_${next}_amd64.deb"
in_root "$amd64" apt-get update -q >"$work/upgrade.log" 2>&1 && in_root "$amd64" apt-get install "${apt_quiet[@]}" nexwatt-agent >>"$work/upgrade.log" 2>&1 ||
  { cat "$work/upgrade.log"; fail "upgrade to $next"; }
[ "$(in_root "$amd64" dpkg-query -W -f='${Version}' nexwatt-agent)" = "$next" ] || fail "not upgraded to $next"
[ "$(sha256sum <"$amd64/etc/nexwatt/agent.json")" = "$config_sum" ] || fail "the upgrade changed the edited agent.json"
[ -f "$amd64/etc/nexwatt/agent.json.dpkg-dist" ] || fail "the new example configuration was not set aside as agent.json.dpkg-dist"
[ "$(state_sum)" = "$buffer_sum" ] || fail "the upgrade changed the buffer"
[ "$(mode_of /etc/nexwatt/agent.json)" = "root:nexwatt 640" ] || fail "the upgrade changed agent.json's owner or mode"
ok "upgrade $version -> $next keeps the edited agent.json (new example as .dpkg-dist) and the buffer"

in_root "$amd64" apt-get remove -q -y nexwatt-agent >"$work/remove.log" 2>&1 || { cat "$work/remove.log"; fail "apt-get remove"; }
[ ! -e "$amd64/usr/lib/nexwatt-agent" ] && [ ! -e "$amd64/usr/bin/nexwatt-agent" ] || fail "remove left the program"
[ "$(state_sum)" = "$buffer_sum" ] || fail "remove changed or deleted the buffer"
[ -f "$amd64/etc/nexwatt/agent.json" ] || fail "remove deleted the configuration"
ok "remove deletes the program, keeps the buffer and the configuration"

in_root "$amd64" apt-get purge -q -y nexwatt-agent >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "apt-get purge"; }
[ ! -e "$amd64/var/lib/nexwatt-agent" ] || fail "purge kept /var/lib/nexwatt-agent"
[ ! -e "$amd64/etc/nexwatt/agent.json" ] || fail "purge kept /etc/nexwatt/agent.json"
ok "purge deletes the state and the configuration"

# --- the collector, in the same root (agent purged, its user deleted): the collector's postinst must make its own ---
in_root "$amd64" userdel nexwatt
in_root "$amd64" sh -c 'getent group nexwatt >/dev/null && groupdel nexwatt || true'
in_root "$amd64" apt-get install "${apt_quiet[@]}" nexwatt-collector >"$work/collector.log" 2>&1 || { cat "$work/collector.log"; fail "apt-get install nexwatt-collector"; }
reported=$(in_root "$amd64" nexwatt-collector --version)
[[ "$reported" == "${version%%-*}"* ]] || fail "nexwatt-collector --version printed '$reported', expected ${version%%-*}"
installed_as_debian_lays_it_out nexwatt-collector collector.json
ok "apt-get install nexwatt-collector: --version $reported, user nexwatt, collector.json root:nexwatt 640, /var/lib/nexwatt-collector nexwatt 750"

# The shipped configuration is production's (PostgreSQL, TLS files, the MQTT broker): a server without them runs the
# embedded SQLite store (the default when no connection string is set) on loopback, without TLS or MQTT.
read -r site_port management_port < <("$python" -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
"$python" - "$amd64/etc/nexwatt/collector.json" "$site_port" "$management_port" <<'PY'
import json, sys
path, port, management = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
config = json.load(open(path))
collector = config["Collector"]
collector.update(ListenAddress="127.0.0.1", Port=port, ManagementPort=management)
collector.pop("Tls", None)
collector.pop("Storage", None)
collector["MqttIngest"]["Enabled"] = False
json.dump(config, open(path, "w"), indent=2)
PY
chroot --userspec=nexwatt:nexwatt "$amd64" /usr/bin/env -i PATH=/usr/bin:/bin /usr/bin/nexwatt-collector >"$work/collector-run.log" 2>&1 &
collector_pid=$!
pids+=("$collector_pid")
healthz=""
for _ in $(seq 120); do
  healthz=$("$python" -c 'import sys, urllib.request
print(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=2).read().decode())' "$management_port" 2>/dev/null) && break
  kill -0 "$collector_pid" 2>/dev/null || break
  sleep 0.5
done
kill -TERM "$collector_pid" 2>/dev/null || true
wait "$collector_pid" || true
[[ "$healthz" == *'"status":"ok"'* ]] || { cat "$work/collector-run.log"; fail "the collector as user nexwatt: /healthz on 127.0.0.1:$management_port answered '$healthz'"; }
[ "$(in_root "$amd64" stat -c '%U:%G' /var/lib/nexwatt-collector/collector.db)" = "nexwatt:nexwatt" ] || fail "no collector.db of user nexwatt in /var/lib/nexwatt-collector"
[ -f "$amd64/var/lib/nexwatt-collector/dispatch-signing-key.pem" ] || fail "no dispatch signing key generated in /var/lib/nexwatt-collector"
ok "the collector as user nexwatt: embedded store and signing key in /var/lib/nexwatt-collector, /healthz on loopback: $healthz"

collector_state() { (cd "$amd64/var/lib/nexwatt-collector" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
collector_sum=$(collector_state)
in_root "$amd64" apt-get remove -q -y nexwatt-collector >"$work/collector-remove.log" 2>&1 || { cat "$work/collector-remove.log"; fail "apt-get remove nexwatt-collector"; }
[ ! -e "$amd64/usr/lib/nexwatt-collector" ] && [ ! -e "$amd64/usr/bin/nexwatt-collector" ] || fail "remove left the collector program"
[ "$(collector_state)" = "$collector_sum" ] || fail "remove changed or deleted the collector's state"
[ -f "$amd64/etc/nexwatt/collector.json" ] || fail "remove deleted collector.json"
in_root "$amd64" apt-get purge -q -y nexwatt-collector >>"$work/collector-remove.log" 2>&1 || { cat "$work/collector-remove.log"; fail "apt-get purge nexwatt-collector"; }
[ ! -e "$amd64/var/lib/nexwatt-collector" ] || fail "purge kept /var/lib/nexwatt-collector"
[ ! -e "$amd64/etc/nexwatt/collector.json" ] || fail "purge kept /etc/nexwatt/collector.json"
ok "collector: remove keeps its database and key, purge deletes the state and the configuration"

arm64="$work/root-arm64"
new_root arm64 "$arm64"
# Only our repository: the root already holds the dependencies, and Debian's whole index under qemu costs minutes.
rm -f "$arm64/etc/apt/sources.list"
use_repo "$arm64" good
ok "clean arm64 bookworm root"
in_root "$arm64" apt-get update -q >"$work/arm64.log" 2>&1 && in_root "$arm64" apt-get install "${apt_quiet[@]}" nexwatt-agent >>"$work/arm64.log" 2>&1 ||
  { cat "$work/arm64.log"; fail "apt-get install nexwatt-agent in the arm64 root"; }
file_arch=$(in_root "$arm64" dpkg-query -W -f='${Architecture}' nexwatt-agent)
[ "$file_arch" = arm64 ] || fail "installed $file_arch, expected arm64"
reported=$(in_root "$arm64" nexwatt-agent --version)
[[ "$reported" == "${version%%-*}"* ]] || fail "arm64 nexwatt-agent --version printed '$reported'"
ok "arm64: apt-get install nexwatt-agent ($file_arch) and nexwatt-agent --version under qemu-user: $reported"
in_root "$arm64" nexwatt-agent read --host 127.0.0.1 --port "$sim_port" >"$work/read.log" 2>&1 || { cat "$work/read.log"; fail "arm64 nexwatt-agent read"; }
grep -q "127.0.0.1:$sim_port unit 1:" "$work/read.log" || { cat "$work/read.log"; fail "arm64 read printed no device"; }
ok "arm64: nexwatt-agent read against hardware-sim: $(head -n1 "$work/read.log")"

echo "apt-install: all checks passed in $((SECONDS - started)) s"
