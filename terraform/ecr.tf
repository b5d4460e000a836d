# The image repository for docker/Dockerfile's two variants (tags like 0.1.0-gpu, 0.1.0-cpu).
resource "aws_ecr_repository" "mediphi" {
  name = local.cluster_name
  # A pushed tag never changes meaning: a RayJob that restarts pulls the same image.
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.main.arn
  }
}

resource "aws_ecr_lifecycle_policy" "mediphi" {
  repository = aws_ecr_repository.mediphi.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the 30 most recent images"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = 30
      }
      action = { type = "expire" }
    }]
  })
}
