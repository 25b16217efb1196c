# Step 1 (any Terraform version): list the sets the tenant already has and
# write them out as a variables file for step 2:
#
#   terraform init && terraform apply
#   terraform output -raw tfvars > ../manage/sequence_sets.auto.tfvars.json
#   terraform output -raw import_blocks > ../manage-generated/imports.tf  # the alternative, see step 2b
#
# This configuration only reads: it creates and changes nothing in Zuora.
terraform {
  required_providers {
    zuora = {
      source = "terraform-zuora/zuora"
    }
  }
}

provider "zuora" {}

data "zuora_sequence_sets" "all" {}

locals {
  # Keyed by name: the key becomes the resource address, zuora_sequence_set.this["FR"].
  sets = { for s in data.zuora_sequence_sets.all.sequence_sets : s.name => s }

  # Resource names for generated config: "EU-B2B" becomes eu_b2b; a name
  # that starts with a digit gets a leading "set_".
  resource_names = {
    for name in keys(local.sets) :
    name => "${can(regex("^[0-9]", name)) ? "set_" : ""}${lower(replace(name, "-", "_"))}"
  }
}

# One set per line, so that a review of the variables file shows each changed
# set as one changed line (jsonencode alone writes the whole file on one).
output "tfvars" {
  description = "The sets as a JSON variables file for ../manage, one set per line."
  value = format("{\"sequence_sets\": {\n%s\n}}\n", join(",\n", [
    for name, s in local.sets : "  ${jsonencode(name)}: ${jsonencode(s)}"
  ]))
}

output "import_blocks" {
  description = "One import block per set, for terraform plan -generate-config-out (Terraform 1.5+)."
  value = join("\n", [for name, s in local.sets : <<-EOT
    import {
      to = zuora_sequence_set.${local.resource_names[name]}
      id = "${s.id}"
    }
    EOT
  ])
}
