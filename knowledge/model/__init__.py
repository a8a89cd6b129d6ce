"""The answerer's built artefacts: vectors.npz (entry embeddings by text hash), decision.json (the
trained decision) and examples.npz (the labelled training questions' embeddings, evidence at answer
time), all written by `python -m knowledge.train`."""
