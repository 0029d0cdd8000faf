"""Storage edges: the only YAML code (:mod:`.yaml`), the only git code (:mod:`.git`), files."""
