"""The only package that opens connections: the engine and its migrations, the read-only
snapshot for the cold start, per-patient reads, clinic-wide scans and the audit chain."""
