"""Pantau query layer: one function per dashboard question, returning pandas DataFrames (no Streamlit)."""
