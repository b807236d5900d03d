"""The reader app's pages (``streamlit_app.py`` routes to them). Widgets only: the logic is in ``reader.app``."""
