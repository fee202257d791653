"""Many units at once: the run (run), the manifest of what each report was made from (manifest), the summary workbook (summary)."""
