#!/usr/bin/env bash
# make demo: the provider against the local Zuora, from build to destroy,
# with no tenant, no credentials and no registry. Everything it writes goes
# under DEMO_DIR (.build/demo, git-ignored); the local Zuora stops when the
# demo ends. DEMO_TERRAFORM is the client (make demo sets it: the terraform
# on PATH, or else the one make test builds).
set -euo pipefail
cd "$(dirname "$0")/../.."

root="${DEMO_DIR:-$PWD/.build/demo}"
version="0.1.0"
work="$root/work"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf '\n\033[31mdemo failed: %s\033[0m\n' "$*" >&2; exit 1; }

terraform="${DEMO_TERRAFORM:-$(command -v terraform || true)}"
[ -n "$terraform" ] && [ -x "$terraform" ] || fail "no terraform: run make demo, which builds one when none is on PATH"
rm -rf "$root"
mkdir -p "$work"

say "Building the provider (v$version) into a local filesystem mirror (make mirror), and the local Zuora"
bash scripts/mirror.sh "$root/mirror" "$version" >/dev/null
go build -o "$root/zuorafake" ./cmd/zuorafake

say "Starting the local Zuora on a free loopback port (it stops by itself after 10 minutes at most)"
"$root/zuorafake" -addr 127.0.0.1:0 -url-file "$root/url" -timeout 10m >"$root/zuorafake.log" 2>&1 &
fake_pid=$!
trap 'kill "$fake_pid" 2>/dev/null || true; wait "$fake_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$root/url" ] && break; sleep 0.1; done
[ -s "$root/url" ] || fail "the local Zuora did not start: $(cat "$root/zuorafake.log")"
url="$(cat "$root/url")"
echo "Local Zuora at $url"

# Terraform installs the provider from the mirror: no registry access.
export TF_CLI_CONFIG_FILE="$root/mirror/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
export ZUORA_HOST="$url" ZUORA_CLIENT_ID="zuorafake-client-id" ZUORA_CLIENT_SECRET="zuorafake-client-secret"
tf_version=$("$terraform" version)
echo "Client: ${tf_version%%$'\n'*} ($terraform)"
cp examples/demo/*.tf examples/demo/*.tfvars "$work/"
cd "$work"

say "terraform init: installs the provider from the mirror"
"$terraform" init -no-color | grep -E "Installing|Installed|initialized"

say "terraform apply: creates one sequence set per region (NA, EMEA, APAC) in the local Zuora"
"$terraform" apply -auto-approve -no-color

say "terraform plan again: Zuora matches the configuration, so there is nothing to do"
set +e
"$terraform" plan -detailed-exitcode -no-color
code=$?
set -e
[ "$code" -eq 0 ] || fail "the second plan is not empty (exit code $code)"

say "A new fiscal year: next-year.tfvars moves EMEA's numbering to 5000. The plan is an in-place update"
set +e
"$terraform" plan -detailed-exitcode -no-color -var-file=next-year.tfvars
code=$?
set -e
[ "$code" -eq 2 ] || fail "next-year.tfvars should plan a change (exit code $code)"

say "terraform apply with next-year.tfvars: one PUT carrying only the changed start numbers"
"$terraform" apply -auto-approve -no-color -var-file=next-year.tfvars

say "terraform destroy: deletes the three sets (the built-in DEFAULT set stays, as in any tenant)"
"$terraform" destroy -auto-approve -no-color -var-file=next-year.tfvars

if command -v curl >/dev/null; then
  say "What the local Zuora saw"
  curl -fsS "$url/_fake/stats"
  echo
fi

say "Done. The local Zuora is stopped; the demo's files are in $root"
