"""One error format for the API (SPEC section 7)."""
from __future__ import annotations

from flask import jsonify


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}

    def response(self):
        body = {"error": {"code": self.code, "message": self.message, "details": self.details}}
        return jsonify(body), self.status
