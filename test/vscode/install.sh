#!/bin/bash
# Installs what the real-VS Code suites need (Debian packages, code-server from npm) into <repo>/.vscode-test/; safe to re-run.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd -P)
HOME_DIR="$ROOT/.vscode-test"
CS_DIR="$HOME_DIR/code-server"
export TMPDIR="$HOME_DIR/tmp" XDG_CONFIG_HOME="$HOME_DIR/xdg-config" XDG_DATA_HOME="$HOME_DIR/xdg-data" XDG_CACHE_HOME="$HOME_DIR/xdg-cache"
mkdir -p "$TMPDIR" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$CS_DIR"
t0=$(date +%s)

# --- Debian packages: Chromium drives the workbench; rg seeds @vscode/ripgrep's download cache;
# libkrb5-dev lets code-server's kerberos module compile; zip/unzip for .vsix handling.
APT_PACKAGES=(chromium ripgrep libkrb5-dev fonts-dejavu-core zip unzip)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "apt: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "apt packages present ($(( $(date +%s) - t0 ))s)"

# --- code-server, unless this exact version is already there.
installed=$(node -p "try { require('$CS_DIR/node_modules/code-server/package.json').version } catch { '' }")
if [ "$installed" = "$CODE_SERVER_VERSION" ] && [ -x "$CS_DIR/node_modules/.bin/code-server" ]; then
  echo "code-server $CODE_SERVER_VERSION already installed in $CS_DIR"
  exit 0
fi

NODE_ROOT=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
[ -f "$NODE_ROOT/include/node/common.gypi" ] || { echo "install.sh: no Node headers under $NODE_ROOT/include/node (node-gyp would try to download them)"; exit 1; }

# @vscode/ripgrep downloads rg from the internet in its postinstall. It first looks in
# $TMPDIR/vscode-ripgrep-cache-<its version>/ripgrep-<tag>-<target>.tar.gz, so seed every
# version/tag pair code-server 4.100.x may ask for with Debian's rg.
RG=$(command -v rg)
for rgpkg in 1.15.9 1.15.10 1.15.11 1.15.12 1.15.13 1.15.14 1.16.0 1.17.0 1.17.1 1.18.0; do
  for tag in v13.0.0-10 v13.0.0-13 v13.0.0-4 v14.1.1-1 v15.0.0; do
    d="$TMPDIR/vscode-ripgrep-cache-$rgpkg"; mkdir -p "$d"
    f="$d/ripgrep-$tag-x86_64-unknown-linux-musl.tar.gz"
    [ -f "$f" ] || tar czf "$f" -C "$(dirname "$RG")" rg
  done
done

export npm_config_nodedir="$NODE_ROOT"   # node-gyp: build against local headers, never download them
export npm_config_unsafe_perm=true       # code-server's postinstall refuses to run as root without it
export npm_config_yes=true               # node-pty's postinstall calls npx without a TTY
export JOBS=2

cd "$CS_DIR"
[ -f package.json ] || echo '{"name":"derivative-lens-code-server","private":true}' > package.json
echo "npm: installing code-server@$CODE_SERVER_VERSION (1-2 minutes)"
if ! npm install --no-audit --no-fund --loglevel=info "code-server@$CODE_SERVER_VERSION" > npm-install.log 2>&1; then
  echo "install.sh: npm install code-server@$CODE_SERVER_VERSION failed; last lines of $CS_DIR/npm-install.log:"
  tail -40 npm-install.log
  exit 1
fi
echo "code-server $CODE_SERVER_VERSION installed in $CS_DIR ($(( $(date +%s) - t0 ))s, $(du -sh "$CS_DIR" | cut -f1))"
