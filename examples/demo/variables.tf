variable "regions" {
  description = "Billing regions: the key is the sequence set's name, code starts every prefix."
  type = map(object({
    code         = string
    start_number = number
  }))
  default = {
    NA   = { code = "US", start_number = 1000 }
    EMEA = { code = "EU", start_number = 2000 }
    APAC = { code = "AP", start_number = 3000 }
  }
}
