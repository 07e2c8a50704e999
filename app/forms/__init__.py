"""Adapters between HTML form fields and the plain values `app.inputs` checks."""
