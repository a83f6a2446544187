#!/usr/bin/env bash
# Headless Chromium and poppler's PDF tools, for the report's print test (tests/integration/
# test_report_print.py): Debian's packages, installed only where they are missing.
set -euo pipefail
if command -v chromium >/dev/null && command -v pdfinfo >/dev/null; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium poppler-utils >/dev/null
echo "chromium.sh: installed $(chromium --version)" >&2
