"""symgrad's Jinja2 templates and phrase tables (installed as ``symgrad.templates``)."""
