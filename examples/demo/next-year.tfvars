# A new fiscal year: EMEA documents move on to numbers from 5000.
regions = {
  NA   = { code = "US", start_number = 1000 }
  EMEA = { code = "EU", start_number = 5000 }
  APAC = { code = "AP", start_number = 3000 }
}
