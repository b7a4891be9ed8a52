"""Shared plumbing under every layer above storage: Filters and line scope, the request Context,
JSON serialisation and the API error format."""
