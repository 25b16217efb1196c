#!/usr/bin/env bash
# mirror.sh DIR VERSION
#
# Builds the provider as release VERSION into a local filesystem mirror at
# DIR, under both registry hosts (registry.terraform.io for Terraform,
# registry.opentofu.org for OpenTofu), and writes DIR/terraformrc: a CLI
# configuration that installs terraform-zuora/zuora from the mirror and
# every other provider from its registry as usual. `make mirror` runs it.
set -euo pipefail
dir=$1 version=$2
case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac
cd "$(dirname "$0")/.."

os_arch="$(go env GOOS)_$(go env GOARCH)"
binary="terraform-provider-zuora_v$version"
hosts=(registry.terraform.io registry.opentofu.org)
for host in "${hosts[@]}"; do
  platform="$dir/$host/terraform-zuora/zuora/$version/$os_arch"
  rm -rf "$platform"
  mkdir -p "$platform"
done
first="$dir/${hosts[0]}/terraform-zuora/zuora/$version/$os_arch/$binary"
go build -ldflags "-X main.version=$version" -o "$first" .
cp "$first" "$dir/${hosts[1]}/terraform-zuora/zuora/$version/$os_arch/$binary"

cat >"$dir/terraformrc" <<RC
# Written by make mirror: terraform-zuora/zuora $version from the local
# filesystem mirror $dir, every other provider from its registry.
provider_installation {
  filesystem_mirror {
    path    = "$dir"
    include = ["registry.terraform.io/terraform-zuora/zuora", "registry.opentofu.org/terraform-zuora/zuora"]
  }
  direct {
    exclude = ["registry.terraform.io/terraform-zuora/zuora", "registry.opentofu.org/terraform-zuora/zuora"]
  }
}
RC

cat <<MSG
Installed terraform-zuora/zuora $version for $os_arch into the filesystem mirror $dir.
To use it, point Terraform (or OpenTofu) at the CLI configuration written beside it:

  export TF_CLI_CONFIG_FILE=$dir/terraformrc

(or copy its provider_installation block into your own CLI configuration), then require
the provider as usual and run terraform init:

  terraform {
    required_providers {
      zuora = { source = "terraform-zuora/zuora", version = "$version" }
    }
  }

After make mirror builds changed sources, delete the configuration's .terraform.lock.hcl
and run terraform init again: the lock file holds the checksum of the build it first
installed, and init refuses any other.
MSG
