"""The context a report runs in: settings, engine and cache, plus the plant's clock.

create_app builds one and stores it on the Flask app; pages and the API fetch it with current().
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from core.cache_store import LocalCache, RedisCache, open_cache
from data import db
from settings import Settings

EXTENSION_KEY = "floorpulse"


@dataclass
class Context:
    settings: Settings
    engine: Engine
    cache: LocalCache | RedisCache

    @classmethod
    def create(cls, settings: Settings) -> "Context":
        return cls(settings=settings, engine=db.get_engine(settings.database_url),
                   cache=open_cache(settings))

    def now(self) -> datetime:
        """Naive plant-local now (SPEC section 3: all bucketing happens in PLANT_TZ)."""
        return datetime.now(ZoneInfo(self.settings.plant_tz)).replace(tzinfo=None)

    def today(self) -> date:
        return self.now().date()


def current() -> Context:
    from flask import current_app
    return current_app.extensions[EXTENSION_KEY]
