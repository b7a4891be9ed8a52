"""/api/v1/utilisation/workers and /api/v1/utilisation/stations (SPEC sections 6 and 7)."""
from __future__ import annotations

from flask import jsonify

from api.answers import rows_answer
from api.common import filters_from, scope
from api.declare import route
from api.params import Window
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


@route("GET", "/v1/utilisation/workers", tag="utilisation", query=Window,
       summary="Camera utilisation per worker, with the plant total",
       answers={200: rows_answer("WorkerUtilisation", columns=WORKER_COLUMNS,
                                 total=TOTAL_COLUMNS)},
       errors={400: ("bad_filter",)})
def utilisation_workers(query: Window):
    return _answer(reports.workers(current(), filters_from(query), scope()), WORKER_COLUMNS)


@route("GET", "/v1/utilisation/stations", tag="utilisation", query=Window,
       summary="Camera occupancy and throughput per station, with the plant total",
       answers={200: rows_answer("StationUtilisation", columns=STATION_COLUMNS,
                                 total=TOTAL_COLUMNS)},
       errors={400: ("bad_filter",)})
def utilisation_stations(query: Window):
    return _answer(reports.stations(current(), filters_from(query), scope()), STATION_COLUMNS)
