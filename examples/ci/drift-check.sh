#!/usr/bin/env bash
# Drift check for a scheduled pipeline job, run after terraform init in the
# configuration's directory. Exits 0 when Zuora matches the configuration,
# 2 when a set was changed, created or deleted outside Terraform (it prints
# the plan that would undo it), and 1 when the plan itself failed.
set -uo pipefail

terraform plan -detailed-exitcode -input=false -no-color -lock-timeout=5m -out=drift.tfplan >plan.log 2>&1
code=$?
case "$code" in
  0) echo "No drift: Zuora matches the configuration." ;;
  2)
    echo "Drift: Zuora differs from the configuration. The plan that would undo it:"
    terraform show -no-color drift.tfplan
    ;;
  *)
    echo "The drift check failed:"
    cat plan.log
    code=1
    ;;
esac
exit "$code"
