# The built-in set, by name.
data "zuora_sequence_set" "default" {
  name = "DEFAULT"
}

# Or any set by its ID...
data "zuora_sequence_set" "by_id" {
  id = "402892c74c9193cd014c96bbe7c101f9"
}

# ...or by its sequence set number.
data "zuora_sequence_set" "by_number" {
  sequence_set_number = "SS-IT"
}

output "default_invoice_prefix" {
  value = data.zuora_sequence_set.default.invoice.prefix
}
