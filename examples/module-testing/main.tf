# A module that gives each billing region its own sequence set: invoices
# INV-EU00000001, credit memos CM-EU..., and so on, per region.
terraform {
  required_version = ">= 1.6"
  required_providers {
    zuora = {
      source = "terraform-zuora/zuora"
    }
  }
}

variable "regions" {
  description = "Billing regions by code (2 to 4 capital letters), each with the first number of its documents."
  type = map(object({
    start_number = number
  }))

  validation {
    condition     = alltrue([for code in keys(var.regions) : can(regex("^[A-Z]{2,4}$", code))])
    error_message = "Region codes are 2 to 4 capital letters: they become the sets' names and prefixes."
  }
  validation {
    condition     = alltrue([for r in values(var.regions) : r.start_number >= 1])
    error_message = "Start numbers are 1 or more."
  }
}

variable "prefix_style" {
  description = "Prefix of the document numbers before the region code, e.g. INV for INV-EU00000001. Letters only."
  type        = string
  default     = "INV"

  validation {
    condition     = can(regex("^[A-Z]{1,6}$", var.prefix_style))
    error_message = "prefix_style is 1 to 6 capital letters."
  }
}

resource "zuora_sequence_set" "region" {
  for_each = var.regions

  name        = "REGION-${each.key}"
  invoice     = { prefix = "${var.prefix_style}-${each.key}", start_number = each.value.start_number }
  credit_memo = { prefix = "CM-${each.key}", start_number = each.value.start_number }
  debit_memo  = { prefix = "DM-${each.key}", start_number = each.value.start_number }
  payment     = { prefix = "PAY-${each.key}-", start_number = each.value.start_number }
  refund      = { prefix = "REF-${each.key}-", start_number = each.value.start_number }
}

output "ids" {
  description = "The sets' Zuora IDs by region code."
  value       = { for code, set in zuora_sequence_set.region : code => set.id }
}

output "invoice_prefixes" {
  description = "The invoice prefixes by region code."
  value       = { for code, set in zuora_sequence_set.region : code => set.invoice.prefix }
}
