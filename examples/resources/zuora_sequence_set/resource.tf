# Invoices, credit memos and debit memos of French customers: FINV00000010, ...
resource "zuora_sequence_set" "fr" {
  name        = "FR"
  invoice     = { prefix = "FINV", start_number = 10 }
  credit_memo = { prefix = "FCM", start_number = 10 }
  debit_memo  = { prefix = "FDM", start_number = 10 }
  payment     = { prefix = "FP-", start_number = 10 }
  refund      = { prefix = "FR-", start_number = 10 }
}

# Payments and refunds left out: Zuora numbers them with the DEFAULT set's
# prefixes, and Terraform keeps whatever Zuora reports without a diff.
resource "zuora_sequence_set" "de" {
  name        = "DE"
  invoice     = { prefix = "DINV", start_number = 1 }
  credit_memo = { prefix = "DCM", start_number = 1 }
  debit_memo  = { prefix = "DDM", start_number = 1 }
}

# With Zuora's sequence set number, set once at creation: it can then name
# the set in an import or a data source. It cannot change afterwards; the
# plan refuses a different one.
resource "zuora_sequence_set" "it" {
  name                = "IT"
  sequence_set_number = "SS-IT"
  invoice             = { prefix = "IINV", start_number = 1 }
  credit_memo         = { prefix = "ICM", start_number = 1 }
  debit_memo          = { prefix = "IDM", start_number = 1 }
}
