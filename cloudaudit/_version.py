"""The version of cloudaudit."""

__version__ = "0.1.0"
