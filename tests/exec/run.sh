#!/bin/sh
# exec suite: generated SQL run on SQLite fixtures (see exec_cases.c for the
# .test format).  Usage: tests/exec/run.sh CAMP  (TEST_BIN_DIR has exec_cases)
dir=${TEST_BIN_DIR:-build/tests}
if [ ! -x "$dir/exec_cases" ]; then
  echo "exec: missing $dir/exec_cases (run make test-bins)"
  echo "exec: 0 passed, 1 failed"
  exit 1
fi
"$dir/exec_cases" tests/exec/*.test
