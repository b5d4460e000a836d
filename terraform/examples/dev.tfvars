# A small dev stack: two zones, one NAT gateway, one GPU node at most, and a bucket that
# `terraform destroy` may empty. terraform apply -var-file=examples/dev.tfvars
environment        = "dev"
region             = "us-east-1"
availability_zones = ["us-east-1a", "us-east-1b"]
single_nat_gateway = true

# The networks kubectl comes from (your office or VPN egress); 0.0.0.0/0 is refused.
cluster_endpoint_public_access_cidrs = ["203.0.113.0/24"]

system_instance_types = ["m6i.2xlarge"]
system_node_count     = { min = 2, desired = 2, max = 3 }

gpu_instance_types = ["g6e.12xlarge"]
gpu_capacity_type  = "ON_DEMAND"
gpu_max_nodes      = 1
gpu_disk_size_gib  = 300

bucket_force_destroy = true

tags = {
  owner = "ml-platform"
}
