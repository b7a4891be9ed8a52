"""One answer for a callback that fails on what the browser sent (a hand-made request, a stale
page, a fuzzer): 400 "bad input", logged with the callback and its inputs, never a traceback
page or a 500. Failures of ours that are not about the input (the database down, say) still
answer 500 and are logged with their traceback by Flask."""
from __future__ import annotations

import logging

from dash import callback_context
from werkzeug.exceptions import BadRequest

log = logging.getLogger(__name__)

# what parsing a wrong shape raises: a date that is a number, clickData that is a string, a
# selection without its keys
INPUT_ERRORS = (TypeError, ValueError, KeyError, AttributeError, IndexError, LookupError)


def _is_input_error(err: Exception) -> bool:
    if isinstance(err, INPUT_ERRORS):
        return True
    # a value of the wrong type that reached a bind parameter (a list where a code belongs):
    # the driver refuses to bind it before anything runs
    from sqlalchemy.exc import StatementError
    orig = getattr(err, "orig", None)
    return isinstance(err, StatementError) and (
        type(orig).__name__ == "ProgrammingError" and "binding parameter" in str(orig)
        or "can't adapt type" in str(orig) or isinstance(orig, (TypeError, ValueError)))


def on_callback_error(err: Exception):
    if not _is_input_error(err):
        raise err
    try:
        inputs = {k: _short(v) for k, v in callback_context.inputs.items()}
        outputs = str(callback_context.outputs_list)[:200]
    except Exception:  # noqa: BLE001 - the context itself may be what is malformed
        inputs, outputs = "?", "?"
    log.warning("callback %s refused bad input %s: %s: %s", outputs, inputs,
                type(err).__name__, err, exc_info=log.isEnabledFor(logging.DEBUG))
    raise BadRequest("bad input: the request does not fit this page; reload it") from err


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def register(server) -> None:
    """Dash's own refusals before any callback runs (an output no callback has, a body that is
    not a callback request) are bad input too."""
    from flask import request

    @server.errorhandler(KeyError)
    @server.errorhandler(TypeError)
    @server.errorhandler(AttributeError)
    def dash_refused(err):
        if request.path != "/_dash-update-component":
            raise err
        log.warning("callback request refused: %s: %s", type(err).__name__, err)
        return {"error": {"code": "bad_input", "message": "This request does not fit any "
                          "callback of this page; reload it.", "details": {}}}, 400
