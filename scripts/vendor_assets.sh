#!/usr/bin/env bash
# Install the web map's scripts and stylesheets from the npm registry and copy them to
# static/vendor/, where Streamlit serves them at /app/static/vendor/ (the app runs in a
# city intranet without internet: nothing is loaded from a CDN at run time).
#
# Versions and sha512 checksums are pinned in scripts/vendor/package-lock.json (`npm ci`).
# Nothing happens when static/vendor/ already holds the files of that lock file.
set -euo pipefail
cd "$(dirname "$0")/.."
LOCK=scripts/vendor/package-lock.json
OUT=static/vendor
WORK=build/vendor-npm
STAMP="$OUT/.lock-sha256"

want=$(sha256sum "$LOCK" | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then exit 0; fi
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "vendor_assets: installing Debian's npm" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null 2>&1 || {
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
    }
  else
    echo "vendor_assets: npm is missing; install it (Debian: sudo apt-get install npm)" >&2
    exit 1
  fi
fi

rm -rf "$WORK"
mkdir -p "$WORK"
cp scripts/vendor/package.json "$LOCK" "$WORK/"
npm ci --prefix "$WORK" --ignore-scripts --no-audit --no-fund --silent
NM="$WORK/node_modules"

rm -rf "$OUT"
mkdir -p "$OUT"/{leaflet,leaflet-draw,markercluster,jquery,bootstrap,fontawesome,awesome-markers}
cp -r "$NM/leaflet/dist/leaflet.js" "$NM/leaflet/dist/leaflet.css" "$NM/leaflet/dist/images" \
  "$NM/leaflet/LICENSE" "$OUT/leaflet/"
cp -r "$NM/leaflet-draw/dist/leaflet.draw.js" "$NM/leaflet-draw/dist/leaflet.draw.css" \
  "$NM/leaflet-draw/dist/images" "$NM/leaflet-draw/package.json" "$OUT/leaflet-draw/"
cp "$NM/leaflet.markercluster/dist/leaflet.markercluster.js" \
  "$NM/leaflet.markercluster/dist/MarkerCluster.css" \
  "$NM/leaflet.markercluster/dist/MarkerCluster.Default.css" \
  "$NM/leaflet.markercluster/MIT-LICENCE.txt" "$OUT/markercluster/"
cp "$NM/jquery/dist/jquery.min.js" "$NM/jquery/LICENSE.txt" "$OUT/jquery/"
cp "$NM/bootstrap/dist/js/bootstrap.bundle.min.js" "$NM/bootstrap/dist/css/bootstrap.min.css" \
  "$NM/bootstrap/LICENSE" "$OUT/bootstrap/"
mkdir -p "$OUT/fontawesome/css"
cp "$NM/@fortawesome/fontawesome-free/css/all.min.css" "$OUT/fontawesome/css/"
cp -r "$NM/@fortawesome/fontawesome-free/webfonts" "$NM/@fortawesome/fontawesome-free/LICENSE.txt" \
  "$OUT/fontawesome/"
cp -r "$NM/leaflet.awesome-markers/dist/leaflet.awesome-markers.js" \
  "$NM/leaflet.awesome-markers/dist/leaflet.awesome-markers.css" \
  "$NM/leaflet.awesome-markers/dist/images" "$NM/leaflet.awesome-markers/LICENSE" \
  "$OUT/awesome-markers/"
echo "$want" >"$STAMP"
echo "vendor_assets: web map assets installed in $OUT" >&2
