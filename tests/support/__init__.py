"""Test support: a fake backend, and locally built Marian models (see toy.py, tiny.py)."""
