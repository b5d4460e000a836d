terraform {
  # Cross-variable references in validation blocks need 1.9.
  required_version = ">= 1.9.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Exact: the version the tests plan and apply with. No lock file is committed, because
      # one made offline records the checksum of one platform only and would fail `init` on
      # any other; `terraform init` writes one for your platform.
      version = "5.100.0"
    }
  }
}
