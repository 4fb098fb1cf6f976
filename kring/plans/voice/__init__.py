"""The child's voice on a plan of any method: the child's own tools (Three Houses, Words and Pictures, a drawing),
their wishes, their assent to each version of the plan, and a child advocate or trusted person at their side."""
