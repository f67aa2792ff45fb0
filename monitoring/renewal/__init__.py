"""Urban renewal: programmes, funding areas, concepts and goals, measures, funding, progress."""
