"""Console pages of the orgs app, one module per concern (tree, workplaces, officers, coverage)."""
