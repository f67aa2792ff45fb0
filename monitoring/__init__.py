"""The domain: programmes, funding areas, development concepts, measures, funding,
quarter management and federal reports."""
