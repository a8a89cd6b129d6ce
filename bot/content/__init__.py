"""Content: the live catalogues (forums, events, deadlines) and answers to dated questions."""
