#!/usr/bin/env bash
# Runs every test of the solution. Installs the Debian packages the real-peer tests need when they are
# missing (as root, or through sudo), builds once, runs each test project, and ends with one line:
# "N passed, N failed[, N skipped]" summed over every test project's TRX results.
set -euo pipefail
cd "$(dirname "$0")/.."

# The real peers our protocol layers are proven against (see ../shared/PACKAGES.md).
# pymodbus 3.0's client imports serial_asyncio, a mere recommendation of the package: name it.
packages=(mbpoll python3-pymodbus python3-serial-asyncio mosquitto mosquitto-clients python3-paho-mqtt protobuf-compiler python3-protobuf python3-grpcio openssl postgresql systemd debootstrap reprepro gnupg lintian dpkg-dev qemu-user-static binfmt-support python3-prometheus-client python3-serial socat)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing test peers: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo -n"; else
    echo "error: need root or sudo to install ${missing[*]}" >&2; exit 2; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null || true
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

configuration=${CONFIGURATION:-Debug}
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

dotnet build Nexwatt.Edge.sln -c "$configuration" -nologo -v quiet -clp:ErrorsOnly
status=0
for project in $(find . -name '*.Tests.csproj' -not -path '*/obj/*' | sort); do
  name=$(basename "$project" .csproj)
  echo "== $name"
  dotnet test "$project" -c "$configuration" --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@" || status=1
done

# Sum the counters of every TRX file so that a run which executed nothing is visible.
python_bin=/usr/bin/python3; [ -x "$python_bin" ] || python_bin=python3
summary=0
"$python_bin" - "$results" <<'PY' || summary=$?
import sys, glob, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
files = glob.glob(sys.argv[1] + "/*.trx")
for f in files:
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed", 0))
    failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    skipped += int(c.get("notExecuted", 0)) + int(c.get("inconclusive", 0))
if not files:
    failed += 1
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed or passed == 0 else 0)
PY
exit $(( status || summary ))
