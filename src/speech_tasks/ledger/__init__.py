"""The tracking ledger: a SQLite file following each meeting's tasks until they are closed (销号).

`speech-tasks track` (cli.py) imports task sheets, records every status change in an append-only
history (db.py), flags tasks 红/黄/蓝 by their due dates (alerts.py), and round-trips the ledger
through a workbook staff edit in Excel (xlsx.py). Allowed status changes and warning thresholds
are data: rules/ledger.yaml (lifecycle.py).
"""
