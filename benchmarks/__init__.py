"""Benchmark scripts: a package, so that ``python -m benchmarks.speed`` finds this folder first.

An installed package (pysbd) ships a top-level ``benchmarks`` of its own.
"""
