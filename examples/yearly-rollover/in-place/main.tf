# The yearly rollover in place: one sequence set per region, whose prefixes
# carry the fiscal year. A new year is one apply with the new year:
#
#   terraform apply -var fiscal_year=26
#
# Each set is updated in place to the new prefixes, numbered from
# start_number: accounts stay assigned to their set, and documents already
# numbered keep the old year's numbers.
terraform {
  required_version = ">= 1.5"
  required_providers {
    zuora = {
      source = "terraform-zuora/zuora"
    }
  }
}

provider "zuora" {}

variable "fiscal_year" {
  description = "The fiscal year the documents are numbered in: two digits, part of every prefix."
  type        = string
  default     = "25"
  validation {
    condition     = can(regex("^[0-9]{2}$", var.fiscal_year))
    error_message = "fiscal_year must be two digits, such as \"26\"."
  }
}

variable "start_number" {
  description = "The number of each prefix's first document in the year."
  type        = number
  default     = 1
}

variable "regions" {
  description = "The regions: the key is the sequence set's name, the value starts every prefix."
  type        = map(string)
  default = {
    NA   = "US"
    EMEA = "EU"
  }
}

resource "zuora_sequence_set" "region" {
  for_each = var.regions

  name        = each.key
  invoice     = { prefix = "${each.value}${var.fiscal_year}INV", start_number = var.start_number }
  credit_memo = { prefix = "${each.value}${var.fiscal_year}CM", start_number = var.start_number }
  debit_memo  = { prefix = "${each.value}${var.fiscal_year}DM", start_number = var.start_number }
  payment     = { prefix = "${each.value}${var.fiscal_year}PAY-", start_number = var.start_number }
  refund      = { prefix = "${each.value}${var.fiscal_year}REF-", start_number = var.start_number }
}
