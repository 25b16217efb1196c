# Step 2b, the alternative to ../manage (Terraform 1.5+): one resource block
# per set, written by Terraform itself. Put the import blocks from step 1 in
# imports.tf beside this file, then:
#
#   terraform init
#   terraform plan -generate-config-out=generated.tf
#   terraform apply
#
# generated.tf is valid as written; rename its resources as you like (move the
# import blocks along) and delete imports.tf once the apply is done.
terraform {
  required_version = ">= 1.5"
  required_providers {
    zuora = {
      source = "terraform-zuora/zuora"
    }
  }
}

provider "zuora" {}
