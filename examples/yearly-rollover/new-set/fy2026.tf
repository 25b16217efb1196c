# The sequence set of fiscal year 2026.
resource "zuora_sequence_set" "fy2026" {
  name        = var.set_names.fy2026
  invoice     = { prefix = "${var.region}26INV", start_number = 1 }
  credit_memo = { prefix = "${var.region}26CM", start_number = 1 }
  debit_memo  = { prefix = "${var.region}26DM", start_number = 1 }
  payment     = { prefix = "${var.region}26PAY-", start_number = 1 }
  refund      = { prefix = "${var.region}26REF-", start_number = 1 }

  lifecycle {
    destroy = false
  }
}
