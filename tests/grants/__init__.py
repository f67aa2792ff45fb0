"""Tests of the grant procedure."""
