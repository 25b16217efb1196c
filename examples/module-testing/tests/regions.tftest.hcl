# terraform test (Terraform 1.6+) against the local Zuora: see README.md for
# how a pipeline starts it and points the provider at it.

provider "zuora" {} # ZUORA_HOST, ZUORA_CLIENT_ID and ZUORA_CLIENT_SECRET

variables {
  regions = {
    EU = { start_number = 1 }
    US = { start_number = 1000 }
  }
}

# Apply the module and check the sets Zuora now holds.
run "apply" {
  assert {
    condition     = length(zuora_sequence_set.region) == 2
    error_message = "want one set per region"
  }
  assert {
    condition     = zuora_sequence_set.region["EU"].invoice.prefix == "INV-EU" && zuora_sequence_set.region["US"].invoice.start_number == 1000
    error_message = "the EU and US invoice numbering is not what the variables say"
  }
  assert {
    condition     = can(regex("^[0-9a-f]{32}$", output.ids["EU"]))
    error_message = "Zuora gave no 32-hexadecimal ID to the EU set"
  }
}

# A new year: start numbers move on; the sets are updated in place, keeping
# their IDs.
run "next_year" {
  variables {
    regions = {
      EU = { start_number = 5000 }
      US = { start_number = 9000 }
    }
    ids_before = run.apply.ids # a test-only variable: the IDs of the first run
  }
  assert {
    condition     = zuora_sequence_set.region["EU"].invoice.start_number == 5000
    error_message = "the EU start number did not move on"
  }
  assert {
    condition     = output.ids["EU"] == var.ids_before["EU"] && output.ids["US"] == var.ids_before["US"]
    error_message = "the sets were replaced instead of updated in place"
  }
}

# A bad prefix never reaches Zuora: the module refuses it at plan time.
run "bad_prefix" {
  command = plan
  variables {
    prefix_style = "inv-2"
  }
  expect_failures = [var.prefix_style]
}
