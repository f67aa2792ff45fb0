#!/usr/bin/env bash
# Debian's GIS clients the interop tests use as real peers: GDAL's command line tools
# (ogrinfo reads the feature service with its OGC API driver, ogr2ogr the exports) and QGIS
# for Python (python3-qgis, run by /usr/bin/python3 headless with QT_QPA_PLATFORM=offscreen:
# it opens the styled store and renders each layer). Nothing is downloaded but the packages.
set -euo pipefail
missing=()
command -v ogrinfo >/dev/null 2>&1 || missing+=(gdal-bin)
/usr/bin/python3 -c "import qgis.core" >/dev/null 2>&1 || missing+=(python3-qgis qgis-providers)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "ensure_gis: installing Debian's ${missing[*]}" >&2
if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; else
  echo "ensure_gis: ${missing[*]} missing; install: sudo apt-get install ${missing[*]}" >&2; exit 1; fi
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || {
  $SUDO apt-get update -qq >/dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}
