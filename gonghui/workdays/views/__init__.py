"""Console pages of working days and deadlines."""
