#!/usr/bin/env bash
# Runs this module's terraform test against a local Zuora started for the
# run, as a pipeline would. Run it as often as you like: each run starts its
# own zuorafake on a free loopback port, reads that run's URL, waits for it
# 10 seconds at most, and stops it by its own PID however the run ends.
#
#   ./run-tests.sh                          # zuorafake from PATH, else built from this repository
#   ZUORAFAKE=/path/to/zuorafake ./run-tests.sh
#   SKIP_INIT=1 ./run-tests.sh              # provider from dev_overrides: no terraform init
#   TERRAFORM=/path/to/terraform ./run-tests.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
terraform="${TERRAFORM:-terraform}"

tmp="$(mktemp -d)"
fake_pid=""
cleanup() {
  if [ -n "$fake_pid" ]; then
    kill "$fake_pid" 2>/dev/null || true
    wait "$fake_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

zuorafake="${ZUORAFAKE:-$(command -v zuorafake || true)}"
if [ -z "$zuorafake" ]; then
  if [ ! -f "$here/../../cmd/zuorafake/main.go" ]; then
    echo "zuorafake is not on PATH: take it from a release of the provider, or set ZUORAFAKE" >&2
    exit 1
  fi
  echo "zuorafake is not on PATH: building it from this repository"
  # A binary, not go run: the PID below is then the server's own.
  (cd "$here/../.." && go build -o "$tmp/zuorafake" ./cmd/zuorafake)
  zuorafake="$tmp/zuorafake"
fi

# A fresh URL file each run: never the URL of a server that is gone.
url_file="$tmp/zuorafake.url"
"$zuorafake" -addr 127.0.0.1:0 -timeout 15m -url-file "$url_file" >"$tmp/zuorafake.log" 2>&1 &
fake_pid=$!
for _ in $(seq 100); do
  [ -s "$url_file" ] && break
  kill -0 "$fake_pid" 2>/dev/null || break
  sleep 0.1
done
if [ ! -s "$url_file" ]; then
  echo "zuorafake did not start within 10 seconds:" >&2
  cat "$tmp/zuorafake.log" >&2
  exit 1
fi

# Point the provider at it: its URL and its fixed client credentials.
ZUORA_HOST="$(cat "$url_file")"
export ZUORA_HOST
export ZUORA_CLIENT_ID=zuorafake-client-id
export ZUORA_CLIENT_SECRET=zuorafake-client-secret
echo "Local Zuora at $ZUORA_HOST (pid $fake_pid)"

if [ "${SKIP_INIT:-0}" != 1 ]; then
  "$terraform" init -input=false
fi
"$terraform" test
