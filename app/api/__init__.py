"""The public JSON API's description (OpenAPI)."""
