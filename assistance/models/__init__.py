"""The assistance app's models, one module per part of the workflow (DESIGN.md section 8)."""
