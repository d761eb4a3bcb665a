"""Signing in with the company's identity provider (OpenID Connect), and requiring it."""
