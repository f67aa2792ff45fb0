"""Neighbourhood management: actors, resident projects, local funds, activities, network."""
