"""The services' declarations, one module per request type (handlers/registry.py says
what a declaration holds; handlers/__init__.py registers each, in order)."""
