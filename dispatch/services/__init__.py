"""Use cases: each loads, calls the core, saves in one transaction, then publishes its jobs."""
