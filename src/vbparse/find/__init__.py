"""Finders: one module per thing found. Importing this package registers them, in order."""
from . import header, signer, sections, references, dates, deadlines, movements  # noqa: F401
