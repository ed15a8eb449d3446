# SPDX-License-Identifier: MIT
# Sourced by .ci/test and .ci/run: `stage NAME SECONDS COMMAND…` runs one CI stage under a time
# budget, says how long it took, and fails with a clear message when it overruns. The budgets
# are sized from runs on a 2-core machine (the figures are in .ci/run) with room for a slow
# day; the whole of .ci/run has to stay well inside 90 minutes.
# PEERCHAT_CI_DEADLINE (epoch seconds), when set, also caps every stage at the time left.

stage() {
  local name=$1 budget=$2 start rc left
  shift 2
  if [[ -n ${PEERCHAT_CI_DEADLINE:-} ]]; then
    left=$((PEERCHAT_CI_DEADLINE - $(date +%s)))
    ((left > 0)) || { echo "CI: no time left for stage '$name' (the whole run's budget is spent)" >&2; return 124; }
    ((left < budget)) && budget=$left
  fi
  echo "== $name (budget $((budget / 60)) min $((budget % 60)) s)"
  start=$(date +%s)
  # Not --foreground: timeout then signals the stage's whole process group (ctest's children too).
  timeout -k 30 "$budget" "$@" && rc=0 || rc=$?
  if ((rc == 124 || rc == 137)); then
    echo "CI: stage '$name' overran its budget of $budget s and was stopped" >&2
    return 124
  fi
  if ((rc != 0)); then
    echo "CI: stage '$name' failed (exit $rc) after $(($(date +%s) - start)) s" >&2
    return "$rc"
  fi
  echo "   $name took $(($(date +%s) - start)) s"
}
