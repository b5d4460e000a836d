variable "name" {
  description = "Prefix of every resource name (cluster, bucket, roles)."
  type        = string
  default     = "mediphi"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.name))
    error_message = "name must be 3-20 characters of a-z, 0-9 and '-', starting with a letter (it goes into S3 bucket and EKS cluster names)."
  }
}

variable "environment" {
  description = "Deployment environment; part of every name, so several can live in one account."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod."
  }
}

variable "region" {
  description = "AWS region of everything."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like us-east-1 or eu-west-3."
  }
}

variable "aws_endpoint_url" {
  description = "Send every AWS API call to this URL (a local emulator such as moto, in tests). Empty: real AWS."
  type        = string
  default     = ""

  validation {
    condition     = var.aws_endpoint_url == "" || can(regex("^https?://[^/]+$", var.aws_endpoint_url))
    error_message = "aws_endpoint_url must be empty or a URL like http://127.0.0.1:5000 (no path)."
  }
}

variable "kubernetes_version" {
  description = "EKS Kubernetes minor version."
  type        = string
  default     = "1.33"

  validation {
    condition     = can(regex("^1\\.(29|3[0-9])$", var.kubernetes_version))
    error_message = "kubernetes_version must be a minor version from 1.29 on, like \"1.33\" (the chart needs >= 1.29)."
  }
}

variable "vpc_cidr" {
  description = "CIDR of the VPC; split into a public and a private subnet per availability zone."
  type        = string
  default     = "10.42.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "vpc_cidr must be an IPv4 CIDR with a prefix between /16 and /20 (GPU pods take many addresses)."
  }
}

variable "availability_zones" {
  description = "Availability zones to spread the subnets over, by name (2 or 3, all in var.region)."
  type        = list(string)
  default     = ["us-east-1a", "us-east-1b", "us-east-1c"]

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 3 && length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "availability_zones must name 2 or 3 distinct zones (EKS needs subnets in at least two)."
  }

  validation {
    condition     = alltrue([for z in var.availability_zones : startswith(z, var.region)])
    error_message = "Every availability zone must be in var.region (e.g. us-east-1a for us-east-1)."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all private subnets (cheaper, one zone's outage cuts egress) instead of one per zone."
  type        = bool
  default     = false
}

variable "cluster_endpoint_public_access_cidrs" {
  description = "CIDRs allowed to reach the Kubernetes API from the internet. Empty: the API is private to the VPC."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.cluster_endpoint_public_access_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "Each entry must be a valid CIDR, and 0.0.0.0/0 is not allowed: list the networks kubectl comes from."
  }
}

variable "system_instance_types" {
  description = "Instance types of the system (CPU) node group: the Ray head, CPU workers and cluster add-ons."
  type        = list(string)
  default     = ["m6i.2xlarge"]

  validation {
    condition     = length(var.system_instance_types) > 0 && alltrue([for t in var.system_instance_types : can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", t))])
    error_message = "system_instance_types must be a non-empty list of EC2 instance types like m6i.2xlarge."
  }
}

variable "system_node_count" {
  description = "Minimum, desired and maximum size of the system node group."
  type = object({
    min     = number
    desired = number
    max     = number
  })
  default = { min = 2, desired = 2, max = 6 }

  validation {
    condition     = var.system_node_count.min >= 1 && var.system_node_count.min <= var.system_node_count.desired && var.system_node_count.desired <= var.system_node_count.max
    error_message = "system_node_count needs 1 <= min <= desired <= max (the cluster's add-ons need a node)."
  }
}

variable "gpu_instance_types" {
  description = "Instance types of the GPU node group (NVIDIA g and p families)."
  type        = list(string)
  default     = ["g6e.12xlarge"]

  validation {
    condition     = length(var.gpu_instance_types) > 0 && alltrue([for t in var.gpu_instance_types : can(regex("^(g4dn|g5|g6|g6e|p4d|p4de|p5|p5e|p5en)\\.[0-9]*x?large$", t))])
    error_message = "gpu_instance_types must be NVIDIA GPU instance types (g4dn, g5, g6, g6e, p4d, p4de, p5, p5e, p5en), e.g. g6e.12xlarge."
  }
}

variable "gpu_capacity_type" {
  description = "ON_DEMAND or SPOT for the GPU node group."
  type        = string
  default     = "ON_DEMAND"

  validation {
    condition     = contains(["ON_DEMAND", "SPOT"], var.gpu_capacity_type)
    error_message = "gpu_capacity_type must be ON_DEMAND or SPOT."
  }
}

variable "gpu_max_nodes" {
  description = "Most GPU nodes the group may scale to. It starts at 0 and scales with the Ray autoscaler's demand."
  type        = number
  default     = 2

  validation {
    condition     = var.gpu_max_nodes >= 1 && var.gpu_max_nodes <= 64 && floor(var.gpu_max_nodes) == var.gpu_max_nodes
    error_message = "gpu_max_nodes must be a whole number from 1 to 64."
  }
}

variable "gpu_disk_size_gib" {
  description = "Root volume of each GPU node: container images with CUDA, vLLM and DeepSpeed are tens of GB."
  type        = number
  default     = 500

  validation {
    condition     = var.gpu_disk_size_gib >= 200 && var.gpu_disk_size_gib <= 16384
    error_message = "gpu_disk_size_gib must be between 200 and 16384."
  }
}

variable "system_disk_size_gib" {
  description = "Root volume of each system node."
  type        = number
  default     = 150

  validation {
    condition     = var.system_disk_size_gib >= 50 && var.system_disk_size_gib <= 16384
    error_message = "system_disk_size_gib must be between 50 and 16384."
  }
}

variable "kubernetes_namespace" {
  description = "Namespace the mediphi chart is installed in (the IRSA role trusts its ServiceAccount only)."
  type        = string
  default     = "mediphi"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.kubernetes_namespace))
    error_message = "kubernetes_namespace must be a DNS label."
  }
}

variable "service_account_name" {
  description = "ServiceAccount of the chart's Ray pods (the chart's serviceAccount.name, or the release's full name)."
  type        = string
  default     = "mediphi"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.service_account_name))
    error_message = "service_account_name must be a DNS label."
  }
}

variable "bucket_force_destroy" {
  description = "Let `terraform destroy` delete the artifacts bucket with its objects. Keep false where the artifacts matter."
  type        = bool
  default     = false
}

variable "noncurrent_version_days" {
  description = "Days an overwritten or deleted artifact version is kept before it expires."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_days >= 1
    error_message = "noncurrent_version_days must be at least 1."
  }
}

variable "log_retention_days" {
  description = "Retention of the EKS control-plane and VPC flow logs."
  type        = number
  default     = 365

  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch retention value of at least a year (365, 400, 545, 731, ... 3653)."
  }
}

variable "tags" {
  description = "Extra tags on every resource."
  type        = map(string)
  default     = {}
}
