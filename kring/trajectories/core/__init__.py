"""Pure rules of a trajectory: its status machine, its planned phases, its clocks and its legal deadlines.

No Django here, so the rules are tested without a database and read in one place.
"""
