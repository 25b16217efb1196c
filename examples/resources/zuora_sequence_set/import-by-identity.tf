# Terraform 1.12 and later (and OpenTofu 1.12): the set's identity. Only the
# id is needed; host, when given, must be the provider's host.
import {
  to       = zuora_sequence_set.de
  identity = { id = "402892c74c9193cd014c96bbe7c101f9" }
}
