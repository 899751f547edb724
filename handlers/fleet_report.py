"""The dashboard's fleet figures (bot/web/dashboard.py): distance and cost of the trips per
vehicle and per department, per month (models/fleet_stats.py does the sums)."""

from __future__ import annotations

from models.fleet_stats import FleetReport, FleetRow, TripTotals, trip_costs

__all__ = ["FleetReport", "FleetRow", "TripTotals", "trip_costs"]
