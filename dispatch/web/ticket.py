"""Placeholder: filled in by its screen."""
