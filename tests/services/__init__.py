"""Servers the tests start for themselves: real server processes on free loopback ports, in temporary folders."""
