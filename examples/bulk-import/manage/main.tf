# Step 2 (Terraform 1.7+ for import blocks with for_each): bring every set
# listed in sequence_sets.auto.tfvars.json under management.
#
#   terraform init
#   terraform plan    # "N to import, 0 to add, 0 to change, 0 to destroy"
#   terraform apply
#
# From then on sequence_sets.auto.tfvars.json is the source of truth: edit a
# prefix or a start number there and the plan shows an in-place update. To
# adopt sets created later, run step 1 again.
terraform {
  required_version = ">= 1.7"
  required_providers {
    zuora = {
      source = "terraform-zuora/zuora"
    }
  }
}

provider "zuora" {}

variable "sequence_sets" {
  description = "The sets to manage, keyed by name. id is needed only to import an existing set."
  type = map(object({
    id          = optional(string)
    name        = string
    invoice     = object({ prefix = string, start_number = number })
    credit_memo = object({ prefix = string, start_number = number })
    debit_memo  = object({ prefix = string, start_number = number })
    payment     = optional(object({ prefix = string, start_number = number }))
    refund      = optional(object({ prefix = string, start_number = number }))
  }))
}

import {
  for_each = { for name, s in var.sequence_sets : name => s.id if s.id != null }
  to       = zuora_sequence_set.this[each.key]
  id       = each.value
}

resource "zuora_sequence_set" "this" {
  for_each = var.sequence_sets

  name        = each.value.name
  invoice     = each.value.invoice
  credit_memo = each.value.credit_memo
  debit_memo  = each.value.debit_memo
  payment     = each.value.payment
  refund      = each.value.refund
}
