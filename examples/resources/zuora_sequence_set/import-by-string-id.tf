# Terraform 1.5 and later: the ID, or the set's exact name.
import {
  to = zuora_sequence_set.fr
  id = "FR"
}
