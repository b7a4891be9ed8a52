"""The write side: everything that changes the database (CSV import, ingestion, punches, attlog,
UCI, attendance processing, rollups), with its own SQL. It may read through queries/; nothing
below it imports it."""
