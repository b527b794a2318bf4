"""Fixtures: a ledger holding one meeting's three tasks."""
from __future__ import annotations

import pytest

from speech_tasks.ledger.db import Ledger

from .sheets import base_tasks, sheet


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "ledger.sqlite"


@pytest.fixture
def ledger(db_path):
    with Ledger(db_path, create=True) as led:
        led.import_sheet(sheet(base_tasks()), "tester")
        yield led
