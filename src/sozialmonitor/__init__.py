"""sozialmonitor: integrated social planning for German cities."""

__version__ = "0.1.0"
