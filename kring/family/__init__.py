"""The family's side of a trajectory (issue 16): their own link and page, their proposals, view and sharing choices,
their agreement to the plan and who received which version of it."""
