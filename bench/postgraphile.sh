#!/usr/bin/env bash
# Reads side by side: Linli against PostGraphile v4 serving the same tables
# of the demo street on PostgreSQL, with the same load tool (wrk, 32
# connections, alternating servers). Not part of the test suite: run it on a
# quiet machine and put the numbers in docs/performance.md.
#
#   bench/postgraphile.sh [postgres://postgres@127.0.0.1:5432]
#
# It creates (and at the end drops) the database linli_bench, loads the demo
# street with `linli seed --demo`, installs postgraphile@4.14.1 with npm into
# a temporary folder, and wrk with apt-get when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SERVER="${1:-postgres://postgres@127.0.0.1:5432}"
DB=linli_bench
URL="$SERVER/$DB?sslmode=disable"
DURATION="${DURATION:-5s}"
CONNECTIONS="${CONNECTIONS:-32}"
ROUNDS="${ROUNDS:-2}"
LINLI_PORT=18080
PG_PORT=15678
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

if ! command -v wrk >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
fi
echo "== PostGraphile 4.14.1 into $work"
(cd "$work" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund postgraphile@4.14.1 >/dev/null)

echo "== database $DB with the demo street"
psql "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null
psql "$SERVER/postgres" -qc "CREATE DATABASE $DB" >/dev/null
go build -o "$work/linli" ./cmd/linli
"$work/linli" migrate --database "$URL" >/dev/null
"$work/linli" seed --demo --database "$URL" >/dev/null

echo "== servers"
LINLI_LOG_LEVEL=warn "$work/linli" serve --database "$URL" --addr "127.0.0.1:$LINLI_PORT" >"$work/linli.log" 2>&1 &
pids+=($!)
"$work/node_modules/.bin/postgraphile" -c "$URL" --schema public --host 127.0.0.1 --port "$PG_PORT" \
  --disable-query-log >"$work/postgraphile.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$LINLI_PORT/healthz" >/dev/null &&
    curl -sf -XPOST -H 'Content-Type: application/json' -d '{"query":"{__typename}"}' "http://127.0.0.1:$PG_PORT/graphql" >/dev/null && break
  sleep 1
done

grid=$(psql "$URL" -Atc "SELECT id FROM grids ORDER BY id LIMIT 1")
linli_overview='{ communities(first: 10) { edges { node { name grids(first: 20) { totalCount edges { node { places(first: 10) { edges { node { name } } } } } } } } } }'
pg_overview='{ allCommunities(first: 10) { nodes { name gridsByCommunityId(first: 20) { totalCount nodes { placesByGridId(first: 10) { nodes { name } } } } } } }'
linli_grid="{ node(id: \\\"$grid\\\") { ... on Grid { name community { name } places(first: 20) { totalCount edges { node { name } } } } } }"
pg_grid="{ gridById(id: \\\"$grid\\\") { name communityByCommunityId { name } placesByGridId(first: 20) { totalCount nodes { name } } } }"
# PostGraphile maps bigint ids to the BigInt scalar (a string).

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BODY")
LUA

# check URL BODY: the answer must have data and no errors.
check() {
  local out
  out=$(curl -s -XPOST -H 'Content-Type: application/json' -d "$2" "$1")
  if ! grep -q '"data"' <<<"$out" || grep -q '"errors"' <<<"$out"; then
    echo "bad answer from $1: ${out:0:400}" >&2
    exit 1
  fi
}
# rps URL BODY: requests per second wrk measures.
rps() {
  BODY="$2" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$work/post.lua" "$1" | awk '/Requests\/sec/ {print $2}'
}

printf '\n| read | Linli | PostGraphile v4 | ratio |\n|---|---|---|---|\n'
for read in overview grid; do
  lq="linli_$read"; pq="pg_$read"
  lbody="{\"query\":\"${!lq}\"}"; pbody="{\"query\":\"${!pq}\"}"
  check "http://127.0.0.1:$LINLI_PORT/graphql" "$lbody"
  check "http://127.0.0.1:$PG_PORT/graphql" "$pbody"
  l=0; p=0
  for _ in $(seq 1 "$ROUNDS"); do
    l=$(awk -v a="$l" -v b="$(rps "http://127.0.0.1:$LINLI_PORT/graphql" "$lbody")" 'BEGIN {print a+b}')
    p=$(awk -v a="$p" -v b="$(rps "http://127.0.0.1:$PG_PORT/graphql" "$pbody")" 'BEGIN {print a+b}')
  done
  awk -v r="$read" -v l="$l" -v p="$p" -v n="$ROUNDS" 'BEGIN {printf "| %s | %.0f rps | %.0f rps | %.2f× |\n", r, l/n, p/n, l/p}'
done
