"""Fault drills: real processes, private service instances, counts before and after."""
