"""The measures stage: instruments as data (definition files, schema, loader, scoring core) and the registration of outcomes."""
