"""The web application: planners' dashboard, public portal and REST API (``sozialmonitor serve``)."""
