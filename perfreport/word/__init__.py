"""From markup to Word: the markup vocabulary (markup), style profiles (style), WordprocessingML (build), PDF via LibreOffice (pdf)."""
