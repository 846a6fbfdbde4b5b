app "shop" {
  image = "shop:1"
  web "api" {
    port = 8080
    route {
      path = "/api"
    }
    rollout {
      canary_weight = 20 # ERROR: Canary weight without canary
    }
  }
  web "admin" {
    port = 8081
    route {
      path = "/admin"
    }
    rollout {
      canary        = 1
      canary_weight = 150 # ERROR: Invalid canary weight
    }
  }
  worker "mailer" {
    rollout {
      canary        = 1
      canary_weight = 10 # ERROR: Canary weight without routes
    }
  }
}
