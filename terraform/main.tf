data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

# The zones are named, not "the first N available": a zone AWS adds later must not move
# subnets (and the nodes in them) on the next apply.
data "aws_availability_zones" "selected" {
  state = "available"
  filter {
    name   = "zone-name"
    values = var.availability_zones
  }

  lifecycle {
    postcondition {
      condition     = length(self.names) == length(var.availability_zones)
      error_message = "Not every zone in var.availability_zones is available in ${var.region}: ${join(", ", var.availability_zones)}."
    }
  }
}

locals {
  cluster_name = "${var.name}-${var.environment}"
  account_id   = data.aws_caller_identity.current.account_id
  partition    = data.aws_partition.current.partition
  azs          = data.aws_availability_zones.selected.names

  # S3 names are global: the account id keeps two accounts' stacks from colliding.
  bucket_name     = "${local.cluster_name}-artifacts-${local.account_id}"
  log_bucket_name = "${local.cluster_name}-access-logs-${local.account_id}"

  # /16 -> /20 per subnet: private subnets first (pods take one VPC address each with the VPC
  # CNI), public subnets after them, for NAT gateways and load balancers only.
  private_subnet_cidrs = [for i, _ in local.azs : cidrsubnet(var.vpc_cidr, 4, i)]
  public_subnet_cidrs  = [for i, _ in local.azs : cidrsubnet(var.vpc_cidr, 4, i + 8)]
}
