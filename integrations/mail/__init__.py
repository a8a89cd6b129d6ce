"""Mail edges: SMTP sending (and IMAP reading) of the team mailbox."""
