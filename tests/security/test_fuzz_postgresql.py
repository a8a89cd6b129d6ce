"""The fuzzer against two app processes on one PostgreSQL database: no response is a 5xx.

A short run of bench/fuzz_reliability.py (which runs 10,000 on each database); the suite's main fuzzer
(test_fuzz.py) runs in-process on SQLite.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "fuzz_reliability.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("fuzz_reliability", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_fuzzed_activities_on_two_processes_sharing_postgresql_never_get_a_5xx(pg_url):
    bench = load_bench()
    cases = bench.generate(60, seed=7)
    result = await bench.run("postgresql", 2, cases, concurrency=8)
    assert result["5xx"] == 0 and result["dropped"] == 0, result
    assert result["2xx"] > 10, result
