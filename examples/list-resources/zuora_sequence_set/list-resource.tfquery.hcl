# Terraform 1.14 and later. Put this file (any name ending in .tfquery.hcl)
# beside the configuration that holds the provider block, then:
#
#   terraform query                                  # lists the sets
#   terraform query -generate-config-out=sets.tf     # writes import and resource blocks
#
# Every set of the tenant, DEFAULT included, with the whole resource so that
# the generated configuration is complete.
list "zuora_sequence_set" "all" {
  provider         = zuora
  include_resource = true
  limit            = 1000 # Terraform stops at 100 unless told otherwise
}

# Only the set named exactly "FR".
list "zuora_sequence_set" "fr" {
  provider = zuora
  config {
    name = "FR"
  }
}
