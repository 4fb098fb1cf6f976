"""Signs of Safety: the records of a trajectory's safety plan (the map, danger statements with their goals, safety
scaling, the safety network, the child's own tools), with their writes (``services``), reads (``queries``), pages
(``views``, ``forms``, ``urls``; templates under ``plans/safety/``). The models are the plans app's."""
