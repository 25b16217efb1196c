terraform {
  required_providers {
    zuora = {
      source = "terraform-zuora/zuora"
    }
  }
}

# The OAuth client's credentials come from ZUORA_CLIENT_ID and
# ZUORA_CLIENT_SECRET in the environment, so they stay out of the code.
provider "zuora" {
  environment = "us-cloud2-api-sandbox"
  track_id    = "billing-pipeline"
}

# A second entity of a multi-entity tenant, under an alias.
provider "zuora" {
  alias       = "emea"
  host        = "https://rest.eu.zuora.com"
  entity_id   = var.emea_entity_id
  max_retries = 5
}

variable "emea_entity_id" {
  description = "ID of the EMEA entity in the multi-entity tenant."
  type        = string
}
