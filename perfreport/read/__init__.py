"""Reading a unit file: YAML (source), Excel workbooks (excel), and the checks on zip packages before parsing (package)."""
