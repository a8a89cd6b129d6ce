"""Staff broadcasts: an announcement queued to every subscriber of a reminder category (in Teams and the CLI)."""
