"""The answerer's built artefacts: vectors.npz (entry embeddings by text hash) and decision.json (the
trained decision), both written by `python -m knowledge.train`."""
