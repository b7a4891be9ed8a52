"""The app for gunicorn: `gunicorn -w 4 wsgi:server` (each worker builds it once on import).

The schema is brought to the newest migration first; the migration lock makes workers that start
together take turns, and at head it is a quick no-op. The demo load and the first admin are
`flask --app app prepare`'s (the Dockerfile runs it before gunicorn). On one machine each worker
also starts the schedule's runner (ingest/schedule.py: one of them wins each job); with REDIS_URL
Celery beat runs the schedule instead.
"""
from app import configure_logging, create_app
from data import db
from settings import Settings

configure_logging()

settings = Settings.from_env()
db.create_schema(db.get_engine(settings.database_url))
app = create_app(settings, serve=True)
server = app.server
