"""The built app for gunicorn: `gunicorn wsgi:server`."""
from app import app, server  # noqa: F401
