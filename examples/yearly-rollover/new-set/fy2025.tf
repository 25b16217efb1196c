# The sequence set of fiscal year 2025.
resource "zuora_sequence_set" "fy2025" {
  name        = var.set_names.fy2025
  invoice     = { prefix = "${var.region}25INV", start_number = 1 }
  credit_memo = { prefix = "${var.region}25CM", start_number = 1 }
  debit_memo  = { prefix = "${var.region}25DM", start_number = 1 }
  payment     = { prefix = "${var.region}25PAY-", start_number = 1 }
  refund      = { prefix = "${var.region}25REF-", start_number = 1 }

  lifecycle {
    destroy = false
  }
}
