#!/usr/bin/env bash
# Regenerate NAME.out / NAME.code for every order_*.ta with CPython 3.11.
set -u
cd "$(dirname "$0")"
export PYTHONHASHSEED=0
for f in order_*.ta; do
    n="${f%.ta}"
    python3 "$f" > "$n.out"
    echo $? > "$n.code"
done
