"""From figures to report markup: the Jinja environment (jinja), its filters (filters), report formats (formats)."""
