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

# To find one set instead, give a block config { name = "FR" } (its exact
# name or its number). Use one block per set: -generate-config-out writes an
# import for every result of every block, so a set two blocks find (such as
# FR here and in "all") would be imported twice, under two addresses.
