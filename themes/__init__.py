"""Built-in themes (package data): one folder per theme with theme.css."""
