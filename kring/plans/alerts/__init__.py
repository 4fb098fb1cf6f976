"""Safety alerts: a safety agreement not done or past its date, shown until the case team acknowledges it with
the action taken, escalated to the team lead when nobody did in time (``services``, ``queries``, the banners and
pages in ``views``)."""
