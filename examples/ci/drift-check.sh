#!/usr/bin/env bash
# Drift check for a scheduled pipeline job, run after terraform init in the
# configuration's directory. It compares the managed sets (the resources in
# the state) with Zuora and the configuration, and exits
#   0 when no managed set differs,
#   2 when a managed set was changed or deleted outside Terraform, or the
#     configuration changed since the last apply (it prints the plan that
#     would undo it),
#   3 when no managed set differs but outputs would change: an output built
#     from data sources (zuora_sequence_sets, the DEFAULT set) that read
#     something new, such as a set created outside Terraform,
#   1 when the plan itself failed.
# A set created outside Terraform is in no state, so the plan does not see
# it: alone, it is not drift (exit 0). To notice such sets, give the
# configuration an output of data.zuora_sequence_sets' names (exit 3).
set -uo pipefail

terraform plan -detailed-exitcode -input=false -no-color -lock-timeout=5m -out=drift.tfplan >plan.log 2>&1
code=$?
if [ "$code" = 2 ]; then
  # terraform exits 2 for output changes too: tell them apart from
  # changes of managed resources, in the plan's JSON form (no jq needed).
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  if ! terraform show -json drift.tfplan >"$tmp/plan.json" 2>"$tmp/show.log"; then
    echo "The drift check failed to read its plan:"
    cat "$tmp/show.log"
    exit 1
  fi
  # What the plan changes, counted by Terraform itself: a configuration
  # of locals only, which terraform console reads without init.
  cat >"$tmp/count.tf" <<'EOF'
locals {
  plan    = jsondecode(file("plan.json"))
  managed = [for r in try(local.plan.resource_changes, []) : r.address if r.mode == "managed" && join(",", r.change.actions) != "no-op"]
  outputs = [for name, o in try(local.plan.output_changes, {}) : name if join(",", o.actions) != "no-op"]
}
EOF
  if ! counts="$(cd "$tmp" && echo 'format("%d %d", length(local.managed), length(local.outputs))' | terraform console 2>"$tmp/console.log")"; then
    echo "The drift check failed to read its plan:"
    cat "$tmp/console.log"
    exit 1
  fi
  read -r resources outputs <<<"$(tr -d '"' <<<"$counts")"
  if [ "$resources" = 0 ]; then
    code=3
  fi
fi
case "$code" in
  0) echo "No drift: every managed set matches Zuora and the configuration." ;;
  2)
    echo "Drift: $resources managed set(s) differ from Zuora or the configuration. The plan that would undo it:"
    terraform show -no-color drift.tfplan
    ;;
  3)
    echo "No managed set drifted, but $outputs output(s) would change (data read from Zuora differs):"
    terraform show -no-color drift.tfplan
    ;;
  *)
    echo "The drift check failed:"
    cat plan.log
    code=1
    ;;
esac
exit "$code"
