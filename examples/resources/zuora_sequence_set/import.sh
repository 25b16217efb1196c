# Import by the set's ID (32 hexadecimal characters)...
terraform import zuora_sequence_set.fr 402892c74c9193cd014c96bbe7c101f9

# ...or by its exact name...
terraform import zuora_sequence_set.fr FR

# ...or by its sequence set number.
terraform import zuora_sequence_set.it SS-IT
