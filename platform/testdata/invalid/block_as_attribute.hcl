connect = { mesh = true } # ERROR: Unsupported argument
