"""Every write to the org tree, workplaces, officers and role grants; one module per concern."""
