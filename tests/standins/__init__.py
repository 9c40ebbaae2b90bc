"""Loopback stand-ins for remote web APIs (real HTTP servers on 127.0.0.1, in a thread)."""
