"""Stock: one record per product, changed only through services that lock the row."""
