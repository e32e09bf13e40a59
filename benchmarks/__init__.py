"""The benchmark of a source tree (``python -m benchmarks``): kept out of the installed ``kg`` package."""
