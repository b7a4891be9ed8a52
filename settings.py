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


SCHEDULE_MODES = ("auto", "on", "off")


class SettingsError(ValueError):
    """A setting from the environment that cannot be used; the message names it."""


def _env_number(name: str, default, kind=float, positive: bool = False):
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = kind(raw.strip())
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number") from None
    if positive and not value > 0:
        raise SettingsError(f"{name}={raw!r} must be greater than 0")
    return value


def _env_int(name: str, default: int) -> int:
    return _env_number(name, default, int)


def _env_float(name: str, default: float) -> float:
    return _env_number(name, default, float)


def _env_interval(name: str, default: float) -> float:
    """A schedule interval: a number greater than 0 (fractions allowed, for tests)."""
    return _env_number(name, default, float, positive=True)


def _env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = (os.environ.get(name) or default).strip().lower()
    if raw not in choices:
        raise SettingsError(f"{name}={raw!r} must be one of {', '.join(choices)}")
    return raw


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
    max_body_mb: int = 25  # the largest request body accepted (MAX_BODY_MB)
    # the schedule (SPEC section 12): intervals, and who runs it
    attendance_every_min: float = 15
    rollups_every_min: float = 5
    alerts_every_s: float = 60
    sync_every_min: float = 10
    sync_config: str = str(BASE_DIR / "instance" / "sync.toml")  # the sources to pull (SYNC_CONFIG)
    schedule: str = "auto"  # auto: in-process unless REDIS_URL or testing | on | off
    # several machines: Redis as shared cache, sign-in throttle and Celery broker
    redis_url: str | None = None
    smtp_url: str | None = None  # alert email: smtp://user:pw@host:587 (smtps:// for TLS at once)
    alert_email_from: str = "floorpulse@localhost"
    webhook_timeout_s: float = 5.0  # one webhook POST waits no longer (a hang is retried later)
    public_url: str = ""  # e.g. https://floorpulse.example.com: makes alert links absolute
    # "Export page" as PDF: headless Chromium prints the page (empty: found on PATH), opening
    # it at pdf_base_url (empty: the address the request came to)
    chromium_path: str = ""
    chromedriver_path: str = ""
    pdf_base_url: str = ""

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
            max_body_mb=_env_int("MAX_BODY_MB", cls.max_body_mb),
            attendance_every_min=_env_interval("ATTENDANCE_EVERY_MIN", cls.attendance_every_min),
            rollups_every_min=_env_interval("ROLLUPS_EVERY_MIN", cls.rollups_every_min),
            alerts_every_s=_env_interval("ALERTS_EVERY_S", cls.alerts_every_s),
            sync_every_min=_env_interval("SYNC_EVERY_MIN", cls.sync_every_min),
            sync_config=env.get("SYNC_CONFIG") or cls.sync_config,
            schedule=_env_choice("SCHEDULE", cls.schedule, SCHEDULE_MODES),
            redis_url=env.get("REDIS_URL") or None,
            smtp_url=env.get("SMTP_URL") or None,
            alert_email_from=env.get("ALERT_EMAIL_FROM") or cls.alert_email_from,
            webhook_timeout_s=_env_float("WEBHOOK_TIMEOUT_S", cls.webhook_timeout_s),
            public_url=(env.get("PUBLIC_URL") or "").rstrip("/"),
            chromium_path=env.get("CHROMIUM_PATH") or "",
            chromedriver_path=env.get("CHROMEDRIVER_PATH") or "",
            pdf_base_url=(env.get("PDF_BASE_URL") or "").rstrip("/"),
        )
        values.update(overrides)
        return cls(**values)

    @property
    def schedule_in_process(self) -> bool:
        """The web process runs the schedule: the default on one machine; with REDIS_URL, Celery
        beat runs it instead; tests and SCHEDULE=off run none."""
        if self.schedule != "auto":
            return self.schedule == "on"
        return not self.redis_url and not self.testing

    def __post_init__(self):
        for name in ("attendance_every_min", "rollups_every_min", "alerts_every_s",
                     "sync_every_min"):
            if not getattr(self, name) > 0:
                raise SettingsError(f"{name.upper()}={getattr(self, name)!r} must be greater than 0")
        if self.schedule not in SCHEDULE_MODES:
            raise SettingsError(f"SCHEDULE={self.schedule!r} must be one of {', '.join(SCHEDULE_MODES)}")
