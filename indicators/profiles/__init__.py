"""Shipped social index profiles (TOML), loaded by indicators.social_index.load_profile."""
