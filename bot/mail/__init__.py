"""The email assistant: reads the team mailbox, answers or acknowledges, logs into the inbox."""
