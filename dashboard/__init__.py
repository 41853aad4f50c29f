"""The Streamlit dashboard for communicators (Swedish by default, English selectable)."""
