"""Independent coordinators (issue 16 item 6, decisions 240-249): a coordinating office's pool, a case referred to
the office, the matching, the family's choice, the assignment that lets the coordinator see that one case, and the
hours and costs for the office's invoice."""
