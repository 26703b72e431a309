"""Replay: run the old path (the real `aip`) and the new path (our executor) through one recording
proxy, then compare them case by case (see model/report.py for the contracts)."""
