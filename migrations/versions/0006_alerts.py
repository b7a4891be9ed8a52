"""Alerts (SPEC section 11): rules, alert state per (rule, subject), the notification outbox.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("alert_rules"):  # stamped back over it: nothing to do
        return
    op.create_table(
        "alert_rules",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("min_checked", sa.Integer()),
        sa.Column("lines", sa.Text()),
        sa.Column("for_min", sa.Integer(), nullable=False),
        sa.Column("webhook_url", sa.Text()),
        sa.Column("emails", sa.Text()),
        sa.Column("name", sa.String(200)),
        sa.Column("created_at", sa.DateTime()),
        sa.Column("created_by", sa.String(100)),
        sa.Column("deleted_at", sa.DateTime()),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("line_code", sa.String(64)),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("live_key", sa.String(100), unique=True),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.Column("fired_at", sa.DateTime()),
        sa.Column("resolved_at", sa.DateTime()),
        sa.Column("acked_at", sa.DateTime()),
        sa.Column("acked_by", sa.String(100)),
        sa.Column("value", sa.Float()),
        sa.Column("threshold", sa.Float()),
        sa.Column("message", sa.Text()),
        sa.Column("updated_at", sa.DateTime()),
    )
    op.create_index("ix_alerts_state", "alerts", ["state", "line_code"])
    op.create_table(
        "alert_outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(10), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("created_at", sa.DateTime()),
        sa.Column("sent_at", sa.DateTime()),
        sa.UniqueConstraint("alert_id", "event", "channel", name="uq_alert_outbox_once"),
    )
    op.create_index("ix_alert_outbox_due", "alert_outbox", ["status", "next_try_at"])


def downgrade() -> None:
    op.drop_index("ix_alert_outbox_due", table_name="alert_outbox")
    op.drop_table("alert_outbox")
    op.drop_index("ix_alerts_state", table_name="alerts")
    op.drop_table("alerts")
    op.drop_table("alert_rules")
