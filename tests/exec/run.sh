#!/bin/sh
# exec suite: generated SQL run on SQLite fixtures (see exec_test.c for the
# .test format).  Usage: tests/exec/run.sh CAMP  (TEST_BIN_DIR has exec_test)
dir=${TEST_BIN_DIR:-build/tests}
if [ ! -x "$dir/exec_test" ]; then
  echo "exec: missing $dir/exec_test (run make test-bins)"
  echo "exec: 0 passed, 1 failed"
  exit 1
fi
"$dir/exec_test" tests/exec/*.test
