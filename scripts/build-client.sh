#!/usr/bin/env bash
# build-client.sh terraform|opentofu VERSION OUT
#
# Builds a Terraform or OpenTofu CLI from its Go module into OUT (a file
# path), as a release would be built (version.dev=no, so version checks see
# 1.16.4 and not 1.16.4-dev). The release site is unreachable here, so the
# acceptance tests' newer clients come from source.
#
# Terraform 1.9 and later cannot be `go install`ed: its go.mod replaces the
# nested modules of nine remote-state backends and internal/legacy with local
# paths, and a module zip never holds nested modules. The build drops those
# modules and the backends' registrations; what remains is Terraform with
# local state and every command (plan, apply, import, query) as released.
# OpenTofu builds straight from its module.
set -euo pipefail
kind=$1 version=$2 out=$3
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

# The first line of `version`, read without a pipe: with pipefail, head
# closing early would fail the whole command on SIGPIPE.
first_line() {
  local v
  v=$("$1" version 2>/dev/null) || return 1
  printf '%s\n' "${v%%$'\n'*}"
}

if [ -x "$out" ] && [ "$(first_line "$out")" = "$( [ "$kind" = terraform ] && echo Terraform || echo OpenTofu ) v$version" ]; then
  exit 0 # built before
fi

case "$kind" in
  terraform) module=github.com/hashicorp/terraform; main=. ;;
  opentofu)  module=github.com/opentofu/opentofu;  main=./cmd/tofu ;;
  *) echo "build-client.sh: unknown client $kind" >&2; exit 2 ;;
esac

export GOTOOLCHAIN=${GOTOOLCHAIN:-local} GOFLAGS=-mod=mod
dir=$(GOFLAGS= go mod download -json "$module@v$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir" ] || { echo "build-client.sh: go mod download $module@v$version gave no directory" >&2; exit 1; }

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -r "$dir/." "$work/src"
chmod -R u+w "$work/src"
cd "$work/src"

if [ "$kind" = terraform ]; then
  nested='github.com/hashicorp/terraform/internal/(backend/remote-state/(azure|consul|cos|gcs|kubernetes|oci|oss|pg|s3)|legacy)'
  grep -v -E "$nested( |\$)" go.mod > go.mod.new && mv go.mod.new go.mod
  grep -v -E "remote-state/(azure|consul|cos|gcs|kubernetes|oci|oss|pg|s3)\"|backend(Azure|Consul|Cos|GCS|Kubernetes|OCI|OSS|Pg|S3)\.New\(\)" \
    internal/backend/init/init.go > init.go.new && mv init.go.new internal/backend/init/init.go
fi

mkdir -p "$(dirname "$out")"
echo "building $kind v$version into $out"
go build -trimpath -ldflags "-s -w -X $module/version.dev=no" -o "$out.tmp" "$main"
mv "$out.tmp" "$out"
first_line "$out"
