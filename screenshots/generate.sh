#!/usr/bin/env bash
# Regenerate the screenshots from the UI's own buffer: SVG by `warroom
# snapshot`, PNG by rsvg-convert (Debian: apt-get install librsvg2-bin
# fonts-dejavu-core). Run from anywhere: screenshots/generate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/warroom
shot() { # name theme width height seconds [extra args]
  local name=$1 theme=$2 w=$3 h=$4 at=$5; shift 5
  "$bin" snapshot --theme "$theme" --width "$w" --height "$h" --at "$at" "$@" --out "screenshots/$name.svg"
  if command -v rsvg-convert >/dev/null; then
    rsvg-convert "screenshots/$name.svg" -o "screenshots/$name.png"
  else
    echo "rsvg-convert not found: wrote screenshots/$name.svg only" >&2
  fi
}
shot dashboard-dark dark 160 48 85
shot dashboard-light light 160 48 85
shot dashboard-colorblind colorblind 160 48 85
shot dashboard-high-contrast high-contrast 160 48 85
shot dashboard-80x24 dark 80 24 85
NO_COLOR=1 shot dashboard-no-color dark 80 24 85
shot dashboard-complete dark 160 48 200 --scenario calm
shot presenter-dark dark 100 30 85 --presenter
shot presenter-light light 160 48 85 --presenter
echo "screenshots written to screenshots/"
