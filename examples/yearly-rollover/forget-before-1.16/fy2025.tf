# Before Terraform 1.16 (from 1.7): the old year's file, once its accounts
# are moved, holds this removed block instead of the resource block. The
# next apply forgets the set and leaves it in Zuora. Delete the file after
# that apply.
removed {
  from = zuora_sequence_set.fy2025

  lifecycle {
    destroy = false
  }
}
