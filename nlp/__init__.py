"""Text → intent + slots (CONTRACT §6), time expressions, dialogue state."""

from nlp.types import Intent, Parse

__all__ = ["Intent", "Parse"]
