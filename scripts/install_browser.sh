#!/usr/bin/env bash
# Headless Chromium (Debian's package) for the browser tests; poppler-utils for the PDF export check.
set -uo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing ${need[*]} for the browser tests"
if ! ($SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}") >/tmp/neurokit-apt.log 2>&1; then
  echo "warning: could not install ${need[*]} (see /tmp/neurokit-apt.log); the browser tests will be skipped" >&2
fi
exit 0
