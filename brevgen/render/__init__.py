"""Renderers: each a pure function of the Letter (html, pdf, docx)."""
