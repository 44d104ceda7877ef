#!/bin/bash
# Issue 22, session 13 (h3): one setting of the widening by meaning (search/nearby.py) on the dev set and the
# (tuned-on) fresh set, whole corpus: bench/near_grid.sh K COSINE WEIGHT RARE   (K=0: off)
# QINGQUAN_DATABASE_URL and QINGQUAN_SEARCH_INDEX_DIR point at the corpus (bench/search_relevance.py).
cd "$(dirname "$0")/.." || exit 1
export QINGQUAN_SEARCH_NEAR_K=$1 QINGQUAN_SEARCH_NEAR_COSINE=$2 QINGQUAN_SEARCH_NEAR_WEIGHT=$3 QINGQUAN_SEARCH_NEAR_RARE=$4
d=$(.venv/bin/python bench/search_relevance.py 2>&1)
f=$(.venv/bin/python bench/search_relevance.py --devset tests/fixtures/search_fresh.tsv 2>&1)
hard=$(echo "$d" | grep "hard kinds together" | sed 's/hard kinds together: //')
kw=$(echo "$d" | grep "^| keyword" | awk -F'|' '{print $4}')
ci=$(echo "$d" | grep "^| citation" | awk -F'|' '{print $5}')
fr=$(echo "$f" | grep "hard kinds together" | sed 's/hard kinds together: //')
echo "k=$1 t=$2 w=$3 rare=$4 | dev: $hard | kw@1 $kw | cit@5 $ci | fresh: $fr"
