"""Forum evaluations: the survey, invitations after a forum, the web form, reports."""
