# One customer-managed key for the artifacts bucket, the image repository, Kubernetes secrets
# and the log groups: one place to rotate and audit, and one grant for the workload role.
data "aws_iam_policy_document" "kms" {
  # In a key policy, "*" as resource means "this key" and the principal is this account's root,
  # which delegates to IAM: the standard AWS default key policy, not a wildcard grant.
  #checkov:skip=CKV_AWS_109:Key policy: Resource "*" is the key itself; access is delegated to this account's IAM.
  #checkov:skip=CKV_AWS_111:Key policy: Resource "*" is the key itself; access is delegated to this account's IAM.
  #checkov:skip=CKV_AWS_356:Key policy: Resource "*" is the key itself, the only form a key policy accepts.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # CloudWatch Logs encrypts the control-plane and flow log groups with the key, but only for
  # log groups of this account and region.
  statement {
    sid = "CloudWatchLogsUse"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:*"]
    }
  }
}

resource "aws_kms_key" "main" {
  description             = "${local.cluster_name}: artifacts bucket, images, Kubernetes secrets, logs"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "main" {
  name          = "alias/${local.cluster_name}"
  target_key_id = aws_kms_key.main.key_id
}
