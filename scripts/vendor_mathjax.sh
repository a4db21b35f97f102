#!/usr/bin/env bash
# Put MathJax 3 (from the npm registry) into _static/mathjax so that math renders offline.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=3.2.2
dest=_static/mathjax
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! command -v npm >/dev/null; then
  echo "npm is needed once to fetch MathJax $VERSION (apt-get install npm); math would otherwise not render offline" >&2
  exit 1
fi
(cd "$tmp" && npm pack --silent "mathjax@$VERSION" >/dev/null && tar xzf mathjax-$VERSION.tgz)
mkdir -p "$dest.partial/output/chtml"
cp "$tmp/package/es5/tex-chtml.js" "$dest.partial/"
cp -r "$tmp/package/es5/output/chtml/fonts" "$dest.partial/output/chtml/"
cp "$tmp/package/LICENSE" "$dest.partial/LICENSE"
rm -rf "$dest" && mv "$dest.partial" "$dest"
echo "MathJax $VERSION vendored into $dest"
