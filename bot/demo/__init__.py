"""The demo organisation and its history (`python main.py demo`)."""
