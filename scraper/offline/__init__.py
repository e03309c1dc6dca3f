"""Offline cleaning: saved files in (sources/), the batch runner that keeps input order over worker
processes, and site-pack mining over saved pages or a store."""
