"""Text → intent + slots (CONTRACT §6), time expressions, dialogue state."""

from nlp.nlu import Nlu
from nlp.types import Intent, Parse

__all__ = ["Intent", "Nlu", "Parse"]
