#!/usr/bin/env bash
# System packages the optional paths need (OCR, old .doc conversion, PostgreSQL backend tests).
# vbparse runs without them: each feature says how to enable itself when its tool is missing.
set -euo pipefail
PKGS=(
  tesseract-ocr tesseract-ocr-vie poppler-utils      # OCR fallback for scanned PDFs
  libreoffice-writer-nogui                            # legacy .doc -> .docx
  postgresql postgresql-contrib                       # PostgreSQL search backend (tests start a throwaway cluster)
  fonts-dejavu-core                                   # Vietnamese glyphs for generated test PDFs
)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
