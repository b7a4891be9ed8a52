"""Configuration: one frozen dataclass read from the environment (SPEC section 8)."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _default_database_url() -> str:
    return f"sqlite:///{BASE_DIR / 'instance' / 'floorpulse.db'}"


def _instance_secret() -> str:
    """A random secret kept under instance/, made on first use, when SECRET_KEY is not set.

    Never a public default: a known key would let anyone forge a signed-in session. Several
    workers may start at once: the key is written whole to a file of this process, then linked
    into place (atomic; the first process wins), so nobody ever reads it half written.
    """
    path = BASE_DIR / "instance" / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        mine = path.with_name(f"secret_key.{os.getpid()}")
        fd = os.open(mine, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        try:
            os.link(mine, path)
        except FileExistsError:
            pass
        finally:
            mine.unlink()
    return path.read_text().strip()


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw not in (None, "") else default


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    plant_tz: str = "Asia/Dhaka"
    cache_dir: str = str(BASE_DIR / "instance" / "cache")
    event_max_gap_min: int = 30
    event_min_confidence: float = 0.0
    default_shift: str | None = None
    demo_data: bool = True
    host: str = "127.0.0.1"
    port: int = 8050
    data_dir: str = str(BASE_DIR / "instance" / "data")
    testing: bool = False
    session_idle_min: int = 120  # a signed-in session ends after this long without a request
    session_cookie_secure: bool = False  # Secure cookie always (else only over HTTPS)
    trust_proxy: bool = False  # behind a TLS proxy: trust X-Forwarded-For/-Proto
    live_refresh_s: int = 60  # a page showing today asks this often whether the data moved

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        env = os.environ
        values = dict(
            database_url=env.get("DATABASE_URL") or _default_database_url(),
            secret_key=env.get("SECRET_KEY") or _instance_secret(),
            plant_tz=env.get("PLANT_TZ") or cls.plant_tz,
            cache_dir=env.get("CACHE_DIR") or cls.cache_dir,
            event_max_gap_min=_env_int("EVENT_MAX_GAP_MIN", cls.event_max_gap_min),
            event_min_confidence=_env_float("EVENT_MIN_CONFIDENCE", cls.event_min_confidence),
            default_shift=env.get("DEFAULT_SHIFT") or None,
            demo_data=env.get("DEMO_DATA", "1").strip().lower() not in ("0", "false", "no"),
            host=env.get("HOST") or cls.host,
            port=_env_int("PORT", cls.port),
            data_dir=env.get("DATA_DIR") or cls.data_dir,
            session_idle_min=_env_int("SESSION_IDLE_MIN", cls.session_idle_min),
            session_cookie_secure=_env_flag("SESSION_COOKIE_SECURE"),
            trust_proxy=_env_flag("TRUST_PROXY"),
            live_refresh_s=_env_int("LIVE_REFRESH_S", cls.live_refresh_s),
        )
        values.update(overrides)
        return cls(**values)
