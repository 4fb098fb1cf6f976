"""Personal links: a network member's own pages at /l/<secret>/, without an account. The links' writes (made and
revoked by the professionals, opened, confirmed and reported on by the holder: ``services``), reads (``queries``)
and the holder's pages (``views``, ``forms``, ``urls``; templates under ``plans/links/``). The professionals make
and revoke links on the plan page (``plans.views``). The model is the plans app's ``PersonalLink``."""
