# Every set of the tenant, DEFAULT included.
data "zuora_sequence_sets" "all" {}

# Only the set named FR (an empty list when there is none).
data "zuora_sequence_sets" "fr" {
  name = "FR"
}

output "invoice_prefixes" {
  value = { for s in data.zuora_sequence_sets.all.sequence_sets : s.name => s.invoice.prefix }
}
