"""The review queue for drafts imported from a forum deck: list, show, edit, accept, reject.

service.py   DraftService (plain Python): queue an import, decide drafts, record who and when
sink.py      StoreDraftSink: accepted drafts into the shared content store (bot/content/store.py)
commands.py  ``sencobot drafts list|show|accept|edit|reject``
"""
