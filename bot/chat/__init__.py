"""The conversation runtime: per-user dispatch, dialogue state, user lookup, send budget."""
