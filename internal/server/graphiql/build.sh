#!/bin/sh
# Rebuilds assets/ from the npm packages pinned in package.json and
# package-lock.json. Run it (from anywhere) after changing a version:
#
#	sh internal/server/graphiql/build.sh
#
# It needs node and npm and the registry; its output is committed, so the Go
# build and `linli serve` never do.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
mkdir -p assets
cp node_modules/react/umd/react.production.min.js assets/react.js
cp node_modules/react-dom/umd/react-dom.production.min.js assets/react-dom.js
cp node_modules/graphiql/graphiql.min.js assets/graphiql.js
cp node_modules/graphiql/graphiql.min.css assets/graphiql.css
rm -rf node_modules
