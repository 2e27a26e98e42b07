"""`connect-impact bench`: load, query and reference figures at each scale, in fresh processes.

spec (what is measured and the targets), process (one step in a child: time, peak memory,
timeout, memory cap), drivers (the children), harness (data, repeats, medians, ratios, JSON)
and report (the results section of docs/benchmarks.md).
"""
