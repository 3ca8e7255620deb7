#!/usr/bin/env bash
# Refreshes the vendored front-end assets that the alliance binary embeds and
# the e2e tests inject. Pinned versions live in tools/assets/package.json and
# package-lock.json; bump them there, run this script, commit the results.
#
# Outputs (all paths relative to the repo root):
#   internal/web/static/vendor/govuk/govuk-frontend.min.css  GOV.UK Frontend, Arial, no fonts, no crest
#   internal/web/static/vendor/govuk/govuk-frontend.min.js   ES module (exports initAll)
#   internal/web/static/vendor/govuk/assets/...              only the images the CSS references (never crest/crown)
#   internal/web/static/vendor/govuk/LICENSE.txt             GOV.UK Frontend's MIT licence
#   e2e/testdata/axe.min.js                                  axe-core
#   e2e/testdata/axe-core-LICENSE.txt                        axe-core's MPL-2.0 licence
#   e2e/testdata/axe-core-LICENSE-3RD-PARTY.txt              licences of code bundled in axe.min.js
#   internal/web/static/vendor/chartjs/chart.umd.min.js      Chart.js (UMD) and its licence
#   internal/web/static/vendor/VERSIONS                      package@version + sha256 of every output
#
# Font files are never copied and the CSS must not reference any.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

assets_rel="tools/assets"
nm="$assets_rel/node_modules"
gf="$nm/govuk-frontend/dist/govuk"
vendor="internal/web/static/vendor"
govuk_out="$vendor/govuk"
e2e_out="e2e/testdata"

die() { echo "build.sh: $*" >&2; exit 1; }

# 1. Install exactly what package-lock.json pins. No install scripts are
#    needed (sass is pure JS; its optional file watcher is unused here).
(cd "$assets_rel" && npm ci --ignore-scripts --no-audit --no-fund)

# The vendor/govuk tree is wholly generated: start clean so nothing stale
# (e.g. an image no longer referenced) survives.
rm -rf "$govuk_out"
mkdir -p "$govuk_out" "$e2e_out"

outputs=()

# 2. Compile GOV.UK Frontend (compressed, no source map).
css="$govuk_out/govuk-frontend.min.css"
"$nm/.bin/sass" --load-path="$nm" --style=compressed --no-source-map \
  "$assets_rel/alliance.scss" "$css"
outputs+=("$css")

if grep -Eqi 'gds transport|transport|woff|\.ttf|\.otf|\.eot|@font-face' "$css"; then
  grep -Eoi '.{0,60}(transport|woff|\.ttf|\.otf|\.eot|@font-face).{0,60}' "$css" >&2 || true
  die "compiled CSS references fonts; check alliance.scss"
fi

# 3. Copy the images (and any other non-font assets, e.g. assets/rebrand/...)
#    that the CSS references, from dist/govuk/assets/ to vendor/govuk/assets/.
mapfile -t urls < <(grep -Eo 'url\([^)]*\)' "$css" \
  | sed -E 's/^url\(["'\'' ]*//; s/["'\'' ]*\)$//' | sort -u)
for u in "${urls[@]+"${urls[@]}"}"; do
  case "$u" in
    data:*) continue ;;
    /assets/fonts/*) die "CSS references a font: $u" ;;
    /assets/*) ;;
    *) die "CSS references an asset outside /assets/: $u" ;;
  esac
  rel="${u#/assets/}"
  rel="${rel%%[?#]*}"
  case "${rel,,}" in
    *crest* | *crown*) die "CSS references a crown/crest image ($u), which alliance must not ship" ;;
    *.woff | *.woff2 | *.ttf | *.otf | *.eot) die "CSS references a font: $u" ;;
  esac
  src="$gf/assets/$rel"
  [[ -f "$src" ]] || die "CSS references $u but $src does not exist"
  mkdir -p "$(dirname "$govuk_out/assets/$rel")"
  cp "$src" "$govuk_out/assets/$rel"
  outputs+=("$govuk_out/assets/$rel")
done

# 4. GOV.UK Frontend JS (ES module) and licence. The npm package does not
#    ship its LICENSE.txt, so fall back to the copy of upstream's kept here.
cp "$gf/govuk-frontend.min.js" "$govuk_out/govuk-frontend.min.js"
outputs+=("$govuk_out/govuk-frontend.min.js")

gf_licence=""
for f in "$nm"/govuk-frontend/LICEN[CS]E*; do
  [[ -f "$f" ]] && { gf_licence="$f"; break; }
done
[[ -n "$gf_licence" ]] || gf_licence="$assets_rel/govuk-frontend-LICENSE.txt"
cp "$gf_licence" "$govuk_out/LICENSE.txt"
outputs+=("$govuk_out/LICENSE.txt")

# 5. axe-core for the e2e accessibility checks, with its licences.
cp "$nm/axe-core/axe.min.js" "$e2e_out/axe.min.js"
cp "$nm/axe-core/LICENSE" "$e2e_out/axe-core-LICENSE.txt"
cp "$nm/axe-core/LICENSE-3RD-PARTY.txt" "$e2e_out/axe-core-LICENSE-3RD-PARTY.txt"
outputs+=("$e2e_out/axe.min.js" "$e2e_out/axe-core-LICENSE.txt" "$e2e_out/axe-core-LICENSE-3RD-PARTY.txt")

# 5b. Chart.js for the dashboards' charts (a UMD build: app.mjs loads it only
#     on pages with a chart), with its MIT licence.
mkdir -p "$vendor/chartjs"
cp "$nm/chart.js/dist/chart.umd.min.js" "$vendor/chartjs/chart.umd.min.js"
cp "$nm/chart.js/LICENSE.md" "$vendor/chartjs/LICENSE.md"
outputs+=("$vendor/chartjs/chart.umd.min.js" "$vendor/chartjs/LICENSE.md")

# Belt and braces: no font file may have been written.
if find "$govuk_out" "$e2e_out" -type f \( -iname '*.woff' -o -iname '*.woff2' -o -iname '*.ttf' -o -iname '*.otf' -o -iname '*.eot' \) | grep -q .; then
  die "a font file ended up in the outputs"
fi

# 6. VERSIONS: pinned packages, then sha256 of every output, sorted by path.
version_of() { node -p "require('./$nm/$1/package.json').version"; }
{
  echo "# Generated by tools/assets/build.sh from tools/assets/package-lock.json. Do not edit."
  for p in axe-core chart.js govuk-frontend sass; do
    echo "$p@$(version_of "$p")"
  done
  echo
  printf '%s\n' "${outputs[@]}" | LC_ALL=C sort | while IFS= read -r f; do
    sha256sum "$f"
  done
} > "$vendor/VERSIONS"

echo "build.sh: wrote $(( ${#outputs[@]} )) files; see $vendor/VERSIONS"
