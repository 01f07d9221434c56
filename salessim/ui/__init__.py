"""Presentation: number formatting, charts and tables, the explorer/dashboard, reports and the CLI."""
