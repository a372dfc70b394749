"""The playground page's glue over nn_core: one visitor's experiment and the server's pacing, the URL, widget
and model-file translators, the session-state keys, the sidebar, the main area and its figures."""
