output "region" {
  description = "AWS region of the stack (aws eks update-kubeconfig --region)."
  value       = var.region
}

output "cluster_name" {
  description = "EKS cluster name (aws eks update-kubeconfig --name)."
  value       = aws_eks_cluster.main.name
}

output "cluster_endpoint" {
  description = "Kubernetes API endpoint."
  value       = aws_eks_cluster.main.endpoint
}

output "cluster_oidc_issuer_url" {
  description = "OIDC issuer that IRSA roles trust."
  value       = aws_eks_cluster.main.identity[0].oidc[0].issuer
}

output "bucket_name" {
  description = "Artifacts bucket: the chart's pipeline.storage is s3://<bucket_name>/runs."
  value       = aws_s3_bucket.artifacts.bucket
}

output "artifacts_uri" {
  description = "Storage root for pipeline runs (chart value pipeline.storage)."
  value       = "s3://${aws_s3_bucket.artifacts.bucket}/runs"
}

output "service_account_role_arn" {
  description = "IRSA role of the chart's Ray pods (chart value serviceAccount.roleArn)."
  value       = aws_iam_role.workload.arn
}

output "kubernetes_namespace" {
  description = "Namespace the workload role trusts; install the chart there."
  value       = var.kubernetes_namespace
}

output "service_account_name" {
  description = "ServiceAccount the workload role trusts (the chart's, for release name mediphi)."
  value       = var.service_account_name
}

output "cluster_autoscaler_role_arn" {
  description = "IRSA role for the cluster autoscaler (kube-system/cluster-autoscaler)."
  value       = aws_iam_role.cluster_autoscaler.arn
}

output "ecr_repository_url" {
  description = "Image repository (chart value image.repository)."
  value       = aws_ecr_repository.mediphi.repository_url
}

output "kms_key_arn" {
  description = "The stack's customer-managed KMS key."
  value       = aws_kms_key.main.arn
}
