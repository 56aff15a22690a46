#!/usr/bin/env bash
# Installs what the extension-host and UI tests need on a Debian machine without internet access:
# Debian's Chromium and ripgrep, and code-server (VS Code's server build) from the npm registry, into a
# cache folder outside node_modules so a plain `npm ci` of the extension stays small.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
CACHE_DIR="${VISEN_CODE_SERVER_DIR:-$HOME/.cache/visen/code-server-$CODE_SERVER_VERSION}"

need_apt=()
for pkg in libkrb5-dev libxkbfile-dev libx11-dev libsecret-1-dev pkg-config ripgrep chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ -x "$CACHE_DIR/node_modules/.bin/code-server" ]; then
  echo "code-server $CODE_SERVER_VERSION already in $CACHE_DIR"
  exit 0
fi

# @vscode/ripgrep's postinstall downloads rg from GitHub; it looks in this cache first, so Debian's rg
# (the same 13.0.0) is packed where it looks.
RG_CACHE="$(node -p "require('os').tmpdir()")/vscode-ripgrep-cache-1.15.11"
RG_TARBALL="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$RG_TARBALL" ]; then
  mkdir -p "$RG_CACHE"
  tmp=$(mktemp -d)
  cp /usr/bin/rg "$tmp/rg"
  tar -czf "$RG_TARBALL" -C "$tmp" rg
  rm -rf "$tmp"
fi

mkdir -p "$CACHE_DIR"
cd "$CACHE_DIR"
[ -f package.json ] || echo '{"name":"visen-code-server","private":true}' > package.json
npm_config_yes=true npm_config_unsafe_perm=true npm install --no-audit --no-fund --loglevel=error \
  "code-server@$CODE_SERVER_VERSION"
echo "code-server $CODE_SERVER_VERSION installed in $CACHE_DIR"
