#!/usr/bin/env bash
# Fails when the committed bundles differ from a fresh build of the sources.
#
# Usage: scripts/check-dist.sh [DIST_DIR]
# DIST_DIR defaults to dist/. The build goes to a temporary directory, so the working
# tree is left as it was. Exit status: 0 when identical, 1 when stale, 2 when the build fails.
set -euo pipefail

cd "$(dirname "$0")/.."
committed="${1:-dist}"
build_dir="$(mktemp -d)"
trap 'rm -rf "$build_dir"' EXIT

if ! MTA_STS_GITOPS_DIST="$build_dir" npx rollup --config rollup.config.mjs --silent; then
  echo "check-dist: the build failed, so dist/ cannot be compared; fix the errors above." >&2
  exit 2
fi

if diff --recursive --brief "$committed" "$build_dir" >"$build_dir.diff" 2>&1; then
  rm -f "$build_dir.diff"
  echo "check-dist: $committed matches a fresh build."
  exit 0
fi

sed "s#$build_dir#(fresh build)#g" "$build_dir.diff" >&2
rm -f "$build_dir.diff"
message="$committed is stale: it differs from a fresh build of the sources. Run 'npm run package' and commit dist/."
if [ "${GITHUB_ACTIONS:-}" = "true" ]; then
  echo "::error title=dist is stale::$message"
fi
echo "check-dist: $message" >&2
exit 1
