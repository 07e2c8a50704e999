"""Adapters between HTML form fields and the typed input models of `app.schemas`."""
