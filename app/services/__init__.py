"""Use cases, as verb_noun functions. Services add and flush; the request or command commits once."""
