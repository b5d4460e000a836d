# IRSA: pods of one Kubernetes ServiceAccount get one IAM role through the cluster's OIDC issuer.
resource "aws_iam_openid_connect_provider" "eks" {
  url            = aws_eks_cluster.main.identity[0].oidc[0].issuer
  client_id_list = ["sts.amazonaws.com"]
}

locals {
  oidc_host = replace(aws_iam_openid_connect_provider.eks.url, "https://", "")
}

# A trust policy for exactly one ServiceAccount of one namespace.
data "aws_iam_policy_document" "irsa_assume" {
  for_each = {
    workload           = "system:serviceaccount:${var.kubernetes_namespace}:${var.service_account_name}"
    cluster_autoscaler = "system:serviceaccount:kube-system:cluster-autoscaler"
  }

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.eks.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = [each.value]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

# The role of the chart's Ray pods: read and write the artifacts bucket, nothing else.
resource "aws_iam_role" "workload" {
  name               = "${local.cluster_name}-workload"
  description        = "mediphi Ray pods (${var.kubernetes_namespace}/${var.service_account_name}): artifacts bucket"
  assume_role_policy = data.aws_iam_policy_document.irsa_assume["workload"].json
}

data "aws_iam_policy_document" "workload" {
  statement {
    sid       = "ListArtifacts"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"]
    resources = [aws_s3_bucket.artifacts.arn]
  }

  statement {
    sid = "ReadWriteArtifacts"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = ["${aws_s3_bucket.artifacts.arn}/*"]
  }

  # Objects are SSE-KMS encrypted with the stack's key.
  statement {
    sid       = "UseArtifactsKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [aws_kms_key.main.arn]
  }
}

resource "aws_iam_role_policy" "workload" {
  name   = "artifacts-bucket"
  role   = aws_iam_role.workload.id
  policy = data.aws_iam_policy_document.workload.json
}

# The cluster autoscaler's role: it grows the GPU group from zero when Ray asks for GPU pods.
resource "aws_iam_role" "cluster_autoscaler" {
  name               = "${local.cluster_name}-cluster-autoscaler"
  description        = "kube-system/cluster-autoscaler: scale the EKS node groups of ${local.cluster_name}"
  assume_role_policy = data.aws_iam_policy_document.irsa_assume["cluster_autoscaler"].json
}

data "aws_iam_policy_document" "cluster_autoscaler" {
  # Describe calls cannot be narrowed to resources in IAM.
  statement {
    sid = "Discover"
    actions = [
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeAutoScalingInstances",
      "autoscaling:DescribeLaunchConfigurations",
      "autoscaling:DescribeScalingActivities",
      "autoscaling:DescribeTags",
      "ec2:DescribeImages",
      "ec2:DescribeInstanceTypes",
      "ec2:DescribeLaunchTemplateVersions",
      "ec2:GetInstanceTypesFromInstanceRequirements",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "DescribeOwnNodeGroups"
    actions   = ["eks:DescribeNodegroup"]
    resources = ["arn:${local.partition}:eks:${var.region}:${local.account_id}:nodegroup/${local.cluster_name}/*/*"]
  }

  # Changes only to the auto scaling groups of this cluster (EKS tags them on creation).
  statement {
    sid       = "ScaleOwnGroups"
    actions   = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]
    resources = ["arn:${local.partition}:autoscaling:${var.region}:${local.account_id}:autoScalingGroup:*:autoScalingGroupName/*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/k8s.io/cluster-autoscaler/${local.cluster_name}"
      values   = ["owned"]
    }
  }
}

resource "aws_iam_role_policy" "cluster_autoscaler" {
  name   = "scale-node-groups"
  role   = aws_iam_role.cluster_autoscaler.id
  policy = data.aws_iam_policy_document.cluster_autoscaler.json
}
