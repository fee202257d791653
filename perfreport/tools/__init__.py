"""Files for people: the commented starting YAML and data written back (starter), the data workbook (excelwrite)."""
