#!/bin/sh
# The attest CLI under valgrind memcheck, for tests/cli.sh as ATTEST_CLI
# (tests/valgrind/run.sh sets the variables). Each run writes its own log
# into $ATTEST_VG_LOGS: cli.sh expects exit codes 1 and 2 from failing
# commands, and a few of its calls ignore the exit code, so a memcheck
# error must not depend on --error-exitcode getting through; run.sh reads
# the logs afterwards. Fast options only (no --track-origins): the whole
# suite must fit make check's time budget.
exec valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect \
  --error-exitcode=99 --num-callers=16 \
  --suppressions="${ATTEST_VG_SUPP:?set by tests/valgrind/run.sh}" \
  --log-file="${ATTEST_VG_LOGS:?set by tests/valgrind/run.sh}/attest.%p.log" \
  "${ATTEST_VG_BIN:?set by tests/valgrind/run.sh}" "$@"
