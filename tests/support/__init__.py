"""Set-up shared by tests in several folders: what a Teams reply looks like, staff in Teams, app processes.

Fixtures that one folder needs stay in that folder's conftest.py; what lives here is plain helpers that tests in
different features import, so that one reading of a card or one way of starting the app serves them all."""
