"""The Karte view in the core: its URL parameters, what it shows, and its print (PDF, PNG)."""
