#!/usr/bin/env bash
# CI's live mode: make testacc-live against a zuorafake started as a
# separate process (a black box on a free loopback port, as a real tenant
# would be), then make sweep, checked to remove every leftover tfacc set
# and nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."

# The credentials the tenant accepts, given to it explicitly (its defaults
# may change) and then to the suite.
client_id=tfacc-ci-client-id-00000000000000000
client_secret=tfacc-ci-client-secret

work=$(mktemp -d)
go build -o "$work/zuorafake" ./cmd/zuorafake
"$work/zuorafake" -addr 127.0.0.1:0 -url-file "$work/url" -timeout 30m \
  -client-id "$client_id" -client-secret "$client_secret" >"$work/zuorafake.log" 2>&1 &
fake=$!
trap 'kill "$fake" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.1; done
[ -s "$work/url" ] || { echo "zuorafake did not start:"; cat "$work/zuorafake.log"; exit 1; }

ZUORA_HOST=$(cat "$work/url")
export ZUORA_HOST ZUORA_CLIENT_ID="$client_id" ZUORA_CLIENT_SECRET="$client_secret"
unset ZUORA_ENVIRONMENT ZUORA_ENTITY_ID ZUORA_TRACK_ID
make testacc-live

# What an interrupted run leaves behind, and a set of someone else's,
# made through the API; the sweep must take the first and keep the second.
token=$(curl -fsS -d grant_type=client_credentials -d "client_id=$ZUORA_CLIENT_ID" -d "client_secret=$ZUORA_CLIENT_SECRET" \
  "$ZUORA_HOST/oauth/token" | sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p')
for set in tfaccDEAD00-00:LEFT someone-else:KEEP; do
  curl -fsS -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$ZUORA_HOST/v1/sequence-sets" \
    -d "{\"sequenceSets\":[{\"name\":\"${set%%:*}\",\"invoice\":{\"prefix\":\"${set##*:}I\",\"startNumber\":1},\"creditMemo\":{\"prefix\":\"${set##*:}C\",\"startNumber\":1},\"debitMemo\":{\"prefix\":\"${set##*:}D\",\"startNumber\":1}}]}"
done
make sweep
names=$(curl -fsS -H "Authorization: Bearer $token" "$ZUORA_HOST/v1/sequence-sets?pageSize=40" | grep -o '"name" *: *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/' | LC_ALL=C sort | tr '\n' ' ')
echo "after make sweep the tenant holds: $names"
[ "$names" = "DEFAULT someone-else " ] || { echo "make sweep must leave exactly DEFAULT and someone-else"; exit 1; }
