"""Bulk order import: Olist-layout folders and CSV/JSONL shop exports read through a mapping.

`orders_import` is the entry point; see docs/import.md.
"""
