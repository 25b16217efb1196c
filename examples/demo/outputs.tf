output "sequence_set_ids" {
  description = "Zuora's ID of each region's sequence set."
  value       = { for name, set in zuora_sequence_set.region : name => set.id }
}

output "invoice_numbering" {
  description = "The first invoice number of each region, as Zuora will print it."
  value       = { for name, set in zuora_sequence_set.region : name => format("%s%08d", set.invoice.prefix, set.invoice.start_number) }
}

output "default_invoice_prefix" {
  description = "Invoice prefix of the tenant's DEFAULT set."
  value       = data.zuora_sequence_set.default.invoice.prefix
}
