"""Network-oriented practice methods as versioned data (one TOML file per method in ``definitions/``).

``catalogue.load_all()`` reads and validates every file; ``schema.MethodDefinition`` is the model.
"""
