#!/usr/bin/env bash
# Vendor front-end libraries from the npm registry into dispatch/static/vendor (git-ignored).
# Pages never load anything from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
LEAFLET=1.9.4
dest=dispatch/static/vendor/leaflet
if [ -f "$dest/.version" ] && [ "$(cat "$dest/.version")" = "$LEAFLET" ]; then
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "leaflet@$LEAFLET" >/dev/null && tar xzf leaflet-*.tgz)
rm -rf "$dest" && mkdir -p "$dest"
cp -r "$work/package/dist/leaflet.js" "$work/package/dist/leaflet.css" "$work/package/dist/images" \
  "$work/package/LICENSE" "$dest/"
echo "$LEAFLET" > "$dest/.version"
echo "vendored leaflet $LEAFLET"
