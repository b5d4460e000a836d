# The paper-scale stack: three zones with a NAT gateway each, up to four 8 x H100 nodes, and an
# artifacts bucket that survives `terraform destroy`. terraform apply -var-file=examples/prod.tfvars
environment        = "prod"
region             = "us-east-1"
availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
single_nat_gateway = false
vpc_cidr           = "10.40.0.0/16"

# Private API: kubectl runs from inside the VPC (VPN or bastion).
cluster_endpoint_public_access_cidrs = []

system_instance_types = ["m6i.2xlarge", "m6a.2xlarge"]
system_node_count     = { min = 3, desired = 3, max = 8 }

gpu_instance_types = ["p5.48xlarge"]
gpu_capacity_type  = "ON_DEMAND"
gpu_max_nodes      = 4
gpu_disk_size_gib  = 1000

bucket_force_destroy    = false
noncurrent_version_days = 180
log_retention_days      = 731

tags = {
  owner       = "ml-platform"
  cost-center = "clinical-ai"
}
