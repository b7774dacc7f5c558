#!/usr/bin/env bash
# The Debian packages SmartCoop needs, in one list, for `make run`, `make test` and .ci/run.
#   scripts/system-packages.sh run|test   install what the target needs and is missing (as root,
#                                          or with passwordless sudo), else stop with the
#                                          exact apt-get line to type
#   scripts/system-packages.sh list test   print the packages of a target, one a line
# On a machine without dpkg/apt-get (not Debian), it says what it would need and goes on.
set -euo pipefail

# run: WeasyPrint (PDFs: libharfbuzz-subset0 subsets fonts in C; without it PDFs are 3-4×
# slower), a font, msgfmt for the catalogs, Tesseract for reading receipts (French, Dutch).
RUN=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext
     tesseract-ocr tesseract-ocr-fra tesseract-ocr-nld)
# test: the same, Chromium for the browser tests, redis-server for the smoke test's faults.
TEST=("${RUN[@]}" chromium redis-server)

target=${1:-}
case "$target" in
    run) wanted=("${RUN[@]}") ;;
    test) wanted=("${TEST[@]}") ;;
    list)
        case "${2:-}" in
            run) printf '%s\n' "${RUN[@]}" ;;
            test) printf '%s\n' "${TEST[@]}" ;;
            *) echo "usage: $0 list run|test" >&2; exit 2 ;;
        esac
        exit 0 ;;
    *) echo "usage: $0 run|test | list run|test" >&2; exit 2 ;;
esac

if ! command -v dpkg >/dev/null 2>&1; then
    echo "system-packages: not a Debian machine; SmartCoop needs the equivalents of: ${wanted[*]}" >&2
    exit 0
fi
missing=()
for pkg in "${wanted[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo)
else
    echo "SmartCoop needs Debian packages that are missing: ${missing[*]}" >&2
    echo "Install them (as root), then run make again:" >&2
    echo "    sudo apt-get update && sudo $line" >&2
    exit 1
fi
echo "system-packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
