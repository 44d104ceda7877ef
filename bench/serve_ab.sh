#!/bin/bash
# Issue 27: two trees of qingquan served side by side, CPU per request and p50 under wrk (1 client), in turns.
#
#   bench/serve_ab.sh OLD_TREE NEW_TREE DATABASE_URL TOKEN [ROUNDS] [SECONDS]
#
# Each tree (a checkout, e.g. `git archive e4f88f7 | tar -x -C /tmp/h2/old`) is served by this worktree's
# virtualenv with the tree first on PYTHONPATH: `uvicorn qingquan.asgi:worker_app --factory`, one process,
# uvloop and httptools as `qingquan serve`, the search indexer and embedder off (their background work would
# count as the requests' CPU), no access log. The database must be migrated and seeded already (by the newest
# tree: bench/peers.py makes one); the worker app does not migrate. The queries: the page of
# tests/test_query_count.py (`first: 20`) and `{ viewer { role } }`, both with the ADMIN token TOKEN. Per turn
# it prints the requests wrk counted, their p50 and the server process's CPU (user + system, /proc) per request.
set -euo pipefail
OLD=$(realpath "$1"); NEW=$(realpath "$2"); URL=$3; TOKEN=$4; ROUNDS=${5:-4}; SECONDS_=${6:-5}
HERE=$(dirname "$(realpath "$0")"); REPO=$(dirname "$HERE"); WORK=$(mktemp -d)
PYTHON=$REPO/.venv/bin/python
"$PYTHON" -c "import json, sys; sys.path.insert(0, '$REPO'); from tests.test_query_count import PAGE
print(json.dumps({'query': PAGE, 'variables': {'first': 20}}))" > "$WORK/page.json"
echo '{"query": "{ viewer { role } }"}' > "$WORK/trivial.json"
for q in page trivial; do
  cat > "$WORK/$q.lua" <<LUA
local f = io.open("$WORK/$q.json"); wrk.body = f:read("*a"); f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA
done
export QINGQUAN_DATABASE_URL=$URL QINGQUAN_LOG_LEVEL=warning QINGQUAN_SEARCH_EMBEDDER=false QINGQUAN_SEARCH_INDEXER=false
declare -A PID PORT=([old]=18741 [new]=18742) TREE=([old]=$OLD [new]=$NEW)
for t in old new; do
  (cd "${TREE[$t]}" && PYTHONPATH=${TREE[$t]} QINGQUAN_SEARCH_INDEX_DIR=$WORK/index_$t exec "$PYTHON" -m uvicorn \
    qingquan.asgi:worker_app --factory --port "${PORT[$t]}" --log-level warning --no-access-log --no-proxy-headers \
    > "$WORK/$t.log" 2>&1) &
  PID[$t]=$!
done
trap 'kill ${PID[old]} ${PID[new]} 2>/dev/null; rm -rf "$WORK"' EXIT
for t in old new; do
  until curl -sf "http://127.0.0.1:${PORT[$t]}/healthz" > /dev/null; do sleep 1; done
  wrk -t1 -c1 -d2s -s "$WORK/page.lua" "http://127.0.0.1:${PORT[$t]}/graphql" > /dev/null  # warm up
done
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for r in $(seq "$ROUNDS"); do
  for q in page trivial; do
    for t in $( ((r % 2)) && echo "new old" || echo "old new"); do
      a=$(ticks "${PID[$t]}")
      out=$(wrk -t1 -c1 -d"${SECONDS_}s" --latency -s "$WORK/$q.lua" "http://127.0.0.1:${PORT[$t]}/graphql")
      b=$(ticks "${PID[$t]}")
      n=$(echo "$out" | awk '/requests in/ {print $1}')
      p50=$(echo "$out" | awk '/ 50%/ {print $2}')
      echo "round $r $q $t: $n requests, p50 $p50, $(echo "scale=3; ($b - $a) * 1000 / $(getconf CLK_TCK) / $n" | bc) ms CPU per request"
    done
  done
done
