#!/usr/bin/env bash
# Assembles agent_<version>_<arch>.deb from a published binary with dpkg-deb.
# Usage: packaging/deb/build-deb.sh BINARY RID OUTDIR   (./build.sh package [RID] calls it)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
binary="$1" rid="$2" out="$3"

case "$rid" in
  linux-x64) arch=amd64 ;;
  linux-arm64) arch=arm64 ;;
  *) echo "build-deb.sh: no Debian architecture for RID '$rid' (linux-x64, linux-arm64)" >&2; exit 2 ;;
esac
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/agent/agent.csproj" | head -1)"
commit="$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
# Reproducible timestamps: the commit's date, not the clock's.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}"
date_rfc="$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
# The newest glibc symbol version the binary links against is the lowest libc6 it runs on.
glibc="$(objdump -T "$binary" | sed -n 's/.*GLIBC_\([0-9.]*\).*/\1/p' | sort -uV | tail -1)"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
pkg="$stage/agent"
install -d -m 0755 "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/etc/agent" "$pkg/lib/systemd/system" \
  "$pkg/usr/share/doc/agent/examples" "$pkg/usr/share/man/man1" "$pkg/usr/share/lintian/overrides"
install -m 0755 "$binary" "$pkg/usr/bin/agent"
install -m 0644 "$here/agent.toml" "$pkg/etc/agent/agent.toml"
install -m 0644 "$here/agent.env" "$pkg/etc/agent/agent.env"
install -m 0644 "$root/packaging/agent.service" "$pkg/lib/systemd/system/agent.service"
install -m 0644 "$root/agent.toml.example" "$pkg/usr/share/doc/agent/examples/agent.toml.example"
install -m 0644 "$here/copyright" "$pkg/usr/share/doc/agent/copyright"
install -m 0644 "$here/lintian-overrides" "$pkg/usr/share/lintian/overrides/agent"
sed -e "s/@VERSION@/$version/" -e "s/@COMMIT@/$commit/" -e "s/@DATE@/$date_rfc/" "$here/changelog" \
  | gzip -9n > "$pkg/usr/share/doc/agent/changelog.gz"
sed -e "s/@VERSION@/$version/" "$here/agent.1" | gzip -9n > "$pkg/usr/share/man/man1/agent.1.gz"
chmod 0644 "$pkg/usr/share/doc/agent/changelog.gz" "$pkg/usr/share/man/man1/agent.1.gz"
install -m 0644 "$here/conffiles" "$pkg/DEBIAN/conffiles"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$pkg/DEBIAN/"
size="$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@GLIBC@/$glibc/" \
  "$here/control.in" > "$pkg/DEBIAN/control"
(cd "$pkg" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) > "$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/md5sums"

mkdir -p "$out"
deb="$out/agent_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "$deb"
