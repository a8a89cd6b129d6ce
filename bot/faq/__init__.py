"""FAQ answers: the answerer service over the knowledge base, and the recorder port every channel logs through."""
