"""The family's own link, what they say through it, and their agreement to the plan."""
