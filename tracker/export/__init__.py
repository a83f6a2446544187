"""What leaves the database as files: CSV cells and dialects, the HTML report and the
bulk export's processes."""
