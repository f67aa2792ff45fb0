"""The ``qmon`` command line: one entry point over the same services as the app."""
