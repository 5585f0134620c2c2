#!/usr/bin/env bash
# Regenerate expected outputs for the compat tests using CPython.
# For every tests/compat/NAME.ta this writes:
#   NAME.out   - CPython's stdout
#   NAME.code  - CPython's exit status (just the number)
# Usage: tests/compat/regen.sh [python-interpreter]   (default: python3)
set -u
cd "$(dirname "$0")"
PY="${1:-python3}"
export PYTHONHASHSEED=0
export PYTHONIOENCODING=utf-8
status=0
for file in *.ta; do
    name="${file%.ta}"
    "$PY" "$file" >"$name.out" 2>/dev/null </dev/null
    code=$?
    echo "$code" >"$name.code"
    case "$name" in
        err_*)
            if [ "$code" -ne 1 ]; then
                echo "warning: $file exited with $code (expected 1)" >&2
                status=1
            fi
            ;;
        *)
            if [ "$code" -ne 0 ]; then
                echo "warning: $file exited with $code (expected 0)" >&2
                status=1
            fi
            ;;
    esac
done
exit $status
