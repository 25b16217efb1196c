# The yearly rollover with a new set per year (Terraform 1.16 and later):
# each year's set is in a file of its own (fy2025.tf, fy2026.tf). A new year
# is a new file and an apply; customer accounts are moved to the new set
# outside Terraform; then Terraform forgets the old year's set without
# deleting it: its lifecycle { destroy = false } makes
#
#   terraform destroy -target=zuora_sequence_set.fy2025
#
# a forget, after which its file is deleted. Deleting the file first would
# plan a real destroy: destroy = false holds only while the block is there.
terraform {
  required_version = ">= 1.16"
  required_providers {
    zuora = {
      source = "terraform-zuora/zuora"
    }
  }
}

provider "zuora" {}

variable "region" {
  description = "The region code that starts every prefix."
  type        = string
  default     = "US"
}

variable "set_names" {
  description = "The name of each year's sequence set."
  type        = map(string)
  default = {
    fy2025 = "US-FY25"
    fy2026 = "US-FY26"
  }
}
