locals {
  # An endpoint URL sends every AWS call to one S3/IAM/EC2/EKS-compatible server: the tests use
  # a local moto server; empty means the real AWS endpoints.
  emulated = var.aws_endpoint_url != ""
  endpoint = local.emulated ? var.aws_endpoint_url : null
}

provider "aws" {
  region = var.region

  # These only make sense against an emulator, which has no account to check credentials
  # against and no instance metadata service.
  skip_credentials_validation = local.emulated
  skip_requesting_account_id  = local.emulated
  skip_metadata_api_check     = local.emulated
  s3_use_path_style           = local.emulated

  endpoints {
    autoscaling = local.endpoint
    ec2         = local.endpoint
    ecr         = local.endpoint
    eks         = local.endpoint
    iam         = local.endpoint
    kms         = local.endpoint
    logs        = local.endpoint
    s3          = local.endpoint
    sts         = local.endpoint
  }

  default_tags {
    tags = merge(var.tags, {
      "app.kubernetes.io/part-of" = "mediphi"
      "mediphi.io/environment"    = var.environment
      "managed-by"                = "terraform"
    })
  }
}
