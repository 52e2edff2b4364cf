#!/usr/bin/env bash
# Builds the Debian packages of the agent and the collector from a clean checkout, and the signed apt repository.
#
#   bash packaging/build.sh                       # both packages, amd64 and arm64, then artifacts/apt/
#   bash packaging/build.sh --arch amd64 --package nexwatt-agent --no-repo
#   bash packaging/build.sh --repo-only            # (re)sign a repository from the packages already in artifacts/deb
#
# Writes artifacts/deb/<package>_<version>-<revision>_<arch>.deb and, unless --no-repo, the repository in
# artifacts/apt/ (dists/, pool/, nexwatt-archive-keyring.gpg for `signed-by=`).
# Environment:
#   NEXWATT_SIGNING_KEY_FILE  armored secret key (no passphrase) that signs the repository, or
#   NEXWATT_SIGNING_KEY       the same armored key as text (a CI secret). Imported into a throwaway GNUPGHOME; never printed.
#   NEXWATT_VERSION           upstream version (default: <Version> of Directory.Build.props); NEXWATT_DEB_REVISION (1)
#   NEXWATT_ARTIFACTS         output folder (default: artifacts/ in the repository)
#   NEXWATT_READY_TO_RUN      1 (default) publishes ReadyToRun; 0 without (start-up measured in packaging/README.md)
#   NEXWATT_APT_SUITE         codename of the repository's distribution (default bookworm)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

arches=(amd64 arm64)
packages=(nexwatt-agent nexwatt-collector)
make_repo=1
build_debs=1
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) IFS=, read -r -a arches <<<"$2"; shift 2 ;;
    --package) IFS=, read -r -a packages <<<"$2"; shift 2 ;;
    --no-repo) make_repo=0; shift ;;
    --repo-only) build_debs=0; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument '$1' (expected --arch LIST, --package LIST, --no-repo, --repo-only)" >&2; exit 2 ;;
  esac
done

fail() { echo "build.sh: $*" >&2; exit 1; }
for tool in dotnet dpkg-deb gzip git; do
  command -v "$tool" >/dev/null || fail "'$tool' is missing (the .NET 10 SDK, Debian packages dpkg, gzip, git)"
done
if [ "$make_repo" = 1 ]; then
  for tool in reprepro gpg; do command -v "$tool" >/dev/null || fail "'$tool' is missing (Debian packages reprepro, gnupg)"; done
  [ -n "${NEXWATT_SIGNING_KEY_FILE:-}" ] || [ -n "${NEXWATT_SIGNING_KEY:-}" ] ||
    fail "no signing key: set NEXWATT_SIGNING_KEY_FILE=path/to/secret-key.asc or NEXWATT_SIGNING_KEY (armored text), or pass --no-repo"
fi

version=${NEXWATT_VERSION:-$(sed -n 's|.*<Version>\(.*\)</Version>.*|\1|p' Directory.Build.props | head -n1)}
[ -n "$version" ] || fail "no version: set NEXWATT_VERSION or <Version> in Directory.Build.props"
deb_version="$version-${NEXWATT_DEB_REVISION:-1}"
suite=${NEXWATT_APT_SUITE:-bookworm}
out=${NEXWATT_ARTIFACTS:-$repo/artifacts}
ready_to_run=${NEXWATT_READY_TO_RUN:-1}
# Reproducible: file times and the changelog date come from the last commit, not from the clock.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
mkdir -p "$out/deb"

# package -> project, configuration file, what it is
project_of() { case "$1" in
  nexwatt-agent) echo edge-agent/Nexwatt.EdgeAgent/Nexwatt.EdgeAgent.csproj ;;
  nexwatt-collector) echo collector/Nexwatt.Collector/Nexwatt.Collector.csproj ;;
  *) fail "unknown package '$1' (expected nexwatt-agent or nexwatt-collector)" ;; esac; }
rid_of() { case "$1" in amd64) echo linux-x64 ;; arm64) echo linux-arm64 ;; *) fail "unknown architecture '$1' (expected amd64 or arm64)" ;; esac; }

build_one() {
  local package=$1 arch=$2 rid publish root
  rid=$(rid_of "$arch")
  publish="$out/publish/$package-$arch"
  root="$out/staging/${package}_$arch"
  echo "== $package $deb_version $arch (publish $rid, ReadyToRun=$ready_to_run)"
  rm -rf "$publish" "$root"
  # Self-contained: a gateway needs no .NET install. English only (no satellite resource folders), no symbols.
  dotnet publish "$(project_of "$package")" -c Release -r "$rid" --self-contained \
    -p:PublishReadyToRun="$([ "$ready_to_run" = 1 ] && echo true || echo false)" \
    -p:SatelliteResourceLanguages=en -p:DebugType=none -p:GenerateDocumentationFile=false \
    -p:Version="$version" -o "$publish" -nologo -v quiet -clp:ErrorsOnly

  local definition="packaging/debian/$package"
  install -d "$root/DEBIAN" "$root/usr/lib/$package" "$root/usr/bin" "$root/lib/systemd/system" \
    "$root/etc/nexwatt" "$root/usr/share/doc/$package" "$root/usr/share/lintian/overrides" "$root/usr/share/man/man1"
  cp -a "$publish/." "$root/usr/lib/$package/"
  ln -s "../lib/$package/$package" "$root/usr/bin/$package"
  install -m 0644 "packaging/systemd/$package.service" "$root/lib/systemd/system/"
  install -m 0644 "packaging/etc/${package#nexwatt-}.json" "$root/etc/nexwatt/"
  install -m 0644 packaging/debian/copyright "$root/usr/share/doc/$package/copyright"
  install -m 0644 "$definition/lintian-overrides" "$root/usr/share/lintian/overrides/$package"
  sed "s/@PACKAGE@/$package/g; s/@VERSION@/$deb_version/g; s/@SUITE@/$suite/g; s/@DATE@/$(date -u -R -d "@$SOURCE_DATE_EPOCH")/g" \
    packaging/debian/changelog.in | gzip -9n >"$root/usr/share/doc/$package/changelog.Debian.gz"
  gzip -9n <"$definition/$package.1" >"$root/usr/share/man/man1/$package.1.gz"

  # Debian modes: directories and files 0755/0644, only the programs executable (the apphost and createdump).
  find "$root" -type d -exec chmod 0755 {} +
  find "$root" -type f -exec chmod 0644 {} +
  chmod 0755 "$root/usr/lib/$package/$package" "$root/usr/lib/$package/createdump"
  for script in postinst prerm postrm; do install -m 0755 "$definition/$script" "$root/DEBIAN/$script"; done
  install -m 0644 "$definition/conffiles" "$root/DEBIAN/conffiles"
  local size
  size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
  sed "s/@VERSION@/$deb_version/; s/@ARCH@/$arch/; s/@SIZE@/$size/" "$definition/control" >"$root/DEBIAN/control"
  find "$root" -exec touch --no-dereference -d "@$SOURCE_DATE_EPOCH" {} +

  local deb="$out/deb/${package}_${deb_version}_$arch.deb"
  dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
  echo "   $(du -h "$deb" | cut -f1) $deb"
}

if [ "$build_debs" = 1 ]; then
for package in "${packages[@]}"; do
  for arch in "${arches[@]}"; do build_one "$package" "$arch"; done
done
fi

if [ "$build_debs" = 0 ]; then
  : # --repo-only: the packages already in $out/deb, checked when they were built
elif command -v lintian >/dev/null; then
  echo "== lintian (each override is explained in packaging/README.md)"
  for package in "${packages[@]}"; do for arch in "${arches[@]}"; do
    lintian --fail-on error,warning --tag-display-limit 0 "$out/deb/${package}_${deb_version}_$arch.deb"
  done; done
else
  echo "build.sh: lintian not installed, packages not checked" >&2
fi

[ "$make_repo" = 1 ] || exit 0

echo "== signed apt repository $out/apt ($suite main)"
gnupg_home=$(mktemp -d)
trap 'gpgconf --homedir "$gnupg_home" --kill all 2>/dev/null || true; rm -rf "$gnupg_home"' EXIT
export GNUPGHOME="$gnupg_home"
# The key goes from the file or the variable straight into gpg on stdin: never echoed, never in a command line.
if [ -n "${NEXWATT_SIGNING_KEY_FILE:-}" ]; then
  [ -r "$NEXWATT_SIGNING_KEY_FILE" ] || fail "NEXWATT_SIGNING_KEY_FILE '$NEXWATT_SIGNING_KEY_FILE' cannot be read"
  gpg --batch --quiet --import <"$NEXWATT_SIGNING_KEY_FILE" 2>/dev/null || fail "NEXWATT_SIGNING_KEY_FILE holds no importable secret key"
else
  printf '%s\n' "$NEXWATT_SIGNING_KEY" | gpg --batch --quiet --import 2>/dev/null || fail "NEXWATT_SIGNING_KEY holds no importable secret key"
fi
fingerprint=$(gpg --batch --with-colons --list-secret-keys 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }')
[ -n "$fingerprint" ] || fail "the signing key material holds no secret key"

rm -rf "$out/apt" "$out/reprepro"
mkdir -p "$out/reprepro/conf"
cat >"$out/reprepro/conf/distributions" <<EOF
Origin: Nexwatt
Label: Nexwatt Edge
Codename: $suite
Suite: stable
Architectures: amd64 arm64
Components: main
Description: Nexwatt Edge agent and collector
SignWith: $fingerprint
EOF
# The database and configuration stay beside the repository, not in what is served.
reprepro --silent --basedir "$out/reprepro" --outdir "$out/apt" includedeb "$suite" "$out"/deb/*_"$deb_version"_*.deb
gpg --batch --export "$fingerprint" >"$out/apt/nexwatt-archive-keyring.gpg"
echo "   signed by $fingerprint; keyring $out/apt/nexwatt-archive-keyring.gpg"
