"""Resolvers: turn what finders found into canonical values (ISO dates, symbol keys, issuers)."""
