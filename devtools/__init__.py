"""Tools for developing citegrid, not part of the product: the benchmark (its URLconf, the
trivial view it measures against, the swapping of throwaway databases) and the synthetic
content it and the load test seed. Installed only with DEBUG or CITEGRID_DEVTOOLS=1
(config/settings.py); production needs none of it."""
