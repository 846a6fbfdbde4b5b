# An on-demand function: each upload is dispatched as one job with the image ID in its meta and the image
# bytes as payload. The small web API accepts uploads and dispatches.

variable "version" {
  type    = string
  default = "1"
}

variable "max_memory" {
  type    = number
  default = 512
  validation {
    condition     = var.max_memory >= 128
    error_message = "Thumbnails need at least 128 MB."
  }
}

app "thumbs" {
  namespace = "default"
  image     = "skiff-demo:${var.version}"

  web "upload" {
    port = 8080
    route {
      host = "thumbs.localhost"
      path = "/upload"
    }
  }

  function "resize" {
    command       = ["/app", "payload"]
    payload       = "required"
    meta_required = ["image_id"]
    meta_optional = ["width", "height"]
    resources {
      cpu        = 500
      memory     = 128
      memory_max = var.max_memory
    }
  }
}
