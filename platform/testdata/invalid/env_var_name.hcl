SKIFF_FABIO_KVPATH = "/fabio/config" # ERROR: Unsupported argument
