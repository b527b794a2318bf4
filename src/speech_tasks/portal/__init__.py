"""The 督办 web portal: the office and the responsible units work on the ledger in a browser.

A Flask app (app.py) served by waitress (`speech-tasks serve`, serve_cmd.py) over the ledger's
Python API. Accounts, drafts of new meetings and the portal's settings live in the ledger's
SQLite file, in tables of its own (store.py); passwords are argon2 hashes (accounts.py).
Server-rendered Jinja2 pages, no inline script, no external resources: it runs on an intranet
without internet.
"""
