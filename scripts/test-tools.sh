#!/usr/bin/env bash
# The outside tools the test suite drives, installed where they are missing.
# `make test` runs this, and so does CI (through `make test`): one list, not two.
#
# Debian packages are installed when we are root (CI, containers); otherwise the
# script prints the one command to run and stops. Node packages go into a local
# folder (.tools/), never into the system. Nothing here downloads a browser:
# Puppeteer and Playwright are pointed at Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

# command-on-PATH  Debian-package   (why the tests need it)
DEBIAN_TOOLS=(
  "java default-jre-headless"       # EPUBCheck and the veraPDF validation library
  "ebook-meta calibre"              # a second reading system must find the cover
  "chromium chromium"               # DAISY Ace and the preview page's browser test
  "qpdf qpdf"                       # structural PDF check
  "pdftotext poppler-utils"         # text extraction as users do it
  "gs ghostscript"                  # a third PDF reader
  "node nodejs"                     # DAISY Ace
  "npm npm"                         # installs DAISY Ace into .tools/
  "pandoc pandoc"                   # rich articles are compared with what pandoc makes
  "setpriv util-linux"              # drops root to test read-only files (root ignores modes)
  "curl curl"                       # the README's examples of publisher serve's API
)
# Files (not commands) some tests need from Debian.
DEBIAN_FILES=(
  "/usr/share/java/jaxb-api.jar libjaxb-java"   # veraPDF's JAXB on Java 17
)

missing=()
for entry in "${DEBIAN_TOOLS[@]}"; do
  read -r cmd pkg <<<"$entry"
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
for entry in "${DEBIAN_FILES[@]}"; do
  read -r file pkg <<<"$entry"
  [ -e "$file" ] || missing+=("$pkg")
done

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test tools: installing ${missing[*]} (Debian)" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "make test needs: ${missing[*]}. Run: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

# DAISY Ace (accessibility checker for EPUB) in .tools/, with Debian's chromium.
ACE_VERSION="1.4.6"
if [ ! -x .tools/node_modules/.bin/ace ]; then
  echo "test tools: installing @daisy/ace@${ACE_VERSION} into .tools/ (npm)" >&2
  mkdir -p .tools
  PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 \
    npm install --prefix .tools --no-audit --no-fund --loglevel=error "@daisy/ace@${ACE_VERSION}" >/dev/null
fi
