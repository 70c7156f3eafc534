"""Benchmarks of publisher against plain WeasyPrint and pandoc.

Run ``python -m benchmarks`` (or ``make bench``); ``--quick`` or ``BENCH_SCALE``
scales the sizes down. Each measurement runs publisher and its reference side
by side in the same run, interleaved, and reports medians.
"""
