# examples/image-processor: the resize function, one dispatched job per upload, written as a Nomad operator
# would. The payload lands in the task's local/ directory.

job "thumbs-resize" {
  namespace   = "default"
  datacenters = ["*"]
  type        = "batch"

  parameterized {
    payload       = "required"
    meta_required = ["image_id"]
    meta_optional = ["width", "height"]
  }

  meta = {
    "skiff.managed-by" = "skiff"
    "skiff.app"        = "thumbs"
    "skiff.kind"       = "function"
    "skiff.process"    = "resize"
  }

  group "resize" {
    count = 1

    meta = {
      "skiff.process" = "resize"
      "skiff.kind"    = "function"
    }

    task "resize" {
      driver = "docker"

      config {
        image   = "skiff-demo:1"
        command = "/app"
        args    = ["payload"]
      }

      dispatch_payload {
        file = "payload"
      }

      env {
        SKIFF_APP     = "thumbs"
        SKIFF_PROCESS = "resize"
      }

      resources {
        cpu        = 500
        memory     = 128
        memory_max = 512
      }
    }
  }
}
