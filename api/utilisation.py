"""/api/v1/utilisation/workers and /api/v1/utilisation/stations (SPEC sections 6 and 7)."""
from __future__ import annotations

from flask import jsonify

from api.common import bp, filters_from_request, scope
from core.serialize import mapping, records
from reports import utilisation as reports
from core.context import current

STATE_COLUMNS = ["working_min", "idle_min", "absent_min", "units"]
WORKER_COLUMNS = ["emp_code", "name", "line_code"] + STATE_COLUMNS + ["utilisation_pct",
                                                                      "units_per_hour"]
STATION_COLUMNS = ["station_code", "line_code"] + STATE_COLUMNS + [
    "occupancy_min", "utilisation_pct", "throughput_per_hour"]
TOTAL_COLUMNS = STATE_COLUMNS + ["occupancy_min", "utilisation_pct", "units_per_hour",
                                 "throughput_per_hour"]


def _answer(result: dict, columns: list[str]):
    return jsonify({"rows": records(result["rows"], columns),
                    "total": mapping({k: result["total"][k] for k in TOTAL_COLUMNS})})


@bp.get("/v1/utilisation/workers")
def utilisation_workers():
    return _answer(reports.workers(current(), filters_from_request(), scope()), WORKER_COLUMNS)


@bp.get("/v1/utilisation/stations")
def utilisation_stations():
    return _answer(reports.stations(current(), filters_from_request(), scope()), STATION_COLUMNS)
