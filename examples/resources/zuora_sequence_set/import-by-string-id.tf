# Terraform 1.5 and later: the ID, the set's exact name, or its sequence set
# number.
import {
  to = zuora_sequence_set.fr
  id = "FR"
}
