#!/usr/bin/env bash
# Writes alertmanager.yml from alertmanager.yml.in and the environment:
#   SMTP_SMARTHOST (host:port, required), SMTP_FROM (required), ALERT_EMAIL_TO (required),
#   SMTP_AUTH_USERNAME, SMTP_AUTH_PASSWORD (empty: no auth), SMTP_REQUIRE_TLS (default true).
# Usage: render-alertmanager.sh OUTPUT   (install.sh reads monitor.env first)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: render-alertmanager.sh OUTPUT}"

missing=()
for name in SMTP_SMARTHOST SMTP_FROM ALERT_EMAIL_TO; do
  [[ -n "${!name:-}" ]] || missing+=("$name")
done
if ((${#missing[@]})); then
  echo "render-alertmanager.sh: set ${missing[*]} (see packaging/monitor/monitor.env)" >&2
  exit 2
fi
case "${SMTP_REQUIRE_TLS:-true}" in
  true|false) ;;
  *) echo "render-alertmanager.sh: SMTP_REQUIRE_TLS must be true or false, not '${SMTP_REQUIRE_TLS}'" >&2; exit 2 ;;
esac

# Values land inside YAML double quotes: backslashes and quotes are escaped, line breaks refused.
for name in SMTP_SMARTHOST SMTP_FROM SMTP_AUTH_USERNAME SMTP_AUTH_PASSWORD ALERT_EMAIL_TO; do
  if [[ "${!name:-}" == *$'\n'* || "${!name:-}" == *$'\r'* ]]; then
    echo "render-alertmanager.sh: $name contains a line break" >&2
    exit 2
  fi
done
export SMTP_REQUIRE_TLS="${SMTP_REQUIRE_TLS:-true}"
# awk's index/substr, not gsub or bash's ${//}: neither treats \ or & in a value literally.
awk '
  function put(line, token, value,    at, out) {
    out = ""
    while ((at = index(line, token)) > 0) {
      out = out substr(line, 1, at - 1) value
      line = substr(line, at + length(token))
    }
    return out line
  }
  function quoted(value) {
    out = ""
    for (i = 1; i <= length(value); i++) {
      c = substr(value, i, 1)
      out = out ((c == "\\" || c == "\"") ? "\\" c : c)
    }
    return out
  }
  {
    split("SMTP_SMARTHOST SMTP_FROM SMTP_AUTH_USERNAME SMTP_AUTH_PASSWORD ALERT_EMAIL_TO", names, " ")
    for (n in names) $0 = put($0, "@" names[n] "@", quoted(ENVIRON[names[n]]))
    print put($0, "@SMTP_REQUIRE_TLS@", ENVIRON["SMTP_REQUIRE_TLS"])
  }' "$here/alertmanager.yml.in" > "$out.tmp"
# It holds the SMTP password: readable by root and (install.sh) the prometheus group only.
chmod 0640 "$out.tmp"
mv -f "$out.tmp" "$out"
