# Terraform 1.16 and later: sets that Zuora refuses to delete, kept in Zuora
# when the configuration is destroyed. terraform destroy removes them from
# the state only ("forget"), and sends Zuora no delete.
terraform {
  required_version = ">= 1.16"
  required_providers {
    zuora = {
      source = "terraform-zuora/zuora"
    }
  }
}

provider "zuora" {}

# The built-in DEFAULT set, which Zuora never deletes: adopted by name, with
# the reserved prefixes it has.
import {
  to = zuora_sequence_set.default
  id = "DEFAULT"
}

resource "zuora_sequence_set" "default" {
  name        = "DEFAULT"
  invoice     = { prefix = "INV", start_number = 1 }
  credit_memo = { prefix = "CM", start_number = 1 }
  debit_memo  = { prefix = "DM", start_number = 1 }
  payment     = { prefix = "P-", start_number = 1 }
  refund      = { prefix = "R-", start_number = 1 }

  lifecycle {
    destroy = false
  }
}

# A set that customer accounts are (or will be) assigned to: Zuora refuses
# to delete it once they are.
resource "zuora_sequence_set" "us" {
  name        = "US"
  invoice     = { prefix = "USINV", start_number = 1 }
  credit_memo = { prefix = "USCM", start_number = 1 }
  debit_memo  = { prefix = "USDM", start_number = 1 }

  lifecycle {
    destroy = false
  }
}
