# One sequence set per billing region, so each region's invoices, memos,
# payments and refunds carry its own prefix: USINV00001000, EUCM00002000, ...
terraform {
  required_version = ">= 1.5"
  required_providers {
    zuora = {
      source = "terraform-zuora/zuora"
    }
  }
}

# host, client_id and client_secret come from ZUORA_HOST, ZUORA_CLIENT_ID
# and ZUORA_CLIENT_SECRET: make demo points them at the local Zuora.
provider "zuora" {
  track_id = "zuora-demo"
}

resource "zuora_sequence_set" "region" {
  for_each = var.regions

  name        = each.key
  invoice     = { prefix = "${each.value.code}INV", start_number = each.value.start_number }
  credit_memo = { prefix = "${each.value.code}CM", start_number = each.value.start_number }
  debit_memo  = { prefix = "${each.value.code}DM", start_number = each.value.start_number }
  payment     = { prefix = "${each.value.code}PAY-", start_number = each.value.start_number }
  refund      = { prefix = "${each.value.code}REF-", start_number = each.value.start_number }
}

# The built-in set every tenant has: accounts without a region fall back to it.
data "zuora_sequence_set" "default" {
  name = "DEFAULT"
}
