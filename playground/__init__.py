"""Streamlit and Altair glue for the playground page: URL state, session, controls, charts."""
