"""The FAQ collation inbox: logged questions, clusters and triage, answers back to askers, publishing, digest, FAQ document."""
