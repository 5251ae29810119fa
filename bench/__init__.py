"""Benchmark: the real server process against loopback fakes. Run by hand: python -m bench."""
