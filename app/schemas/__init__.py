"""Typed input models: the rules for what people and other sites may send us."""
