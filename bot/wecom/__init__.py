"""The WeCom channel: callback, crypto and XML, the API client, sending and dedup."""
