# The built-in set, by name.
data "zuora_sequence_set" "default" {
  name = "DEFAULT"
}

# Or any set by its ID.
data "zuora_sequence_set" "by_id" {
  id = "402892c74c9193cd014c96bbe7c101f9"
}

output "default_invoice_prefix" {
  value = data.zuora_sequence_set.default.invoice.prefix
}
