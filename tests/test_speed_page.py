"""The speed control on the page (streamlit.testing): it sets the run's speed and the link, and a link sets it."""

from apptest_helpers import no_errors, run_app, session, widget


def test_the_speed_control_sets_the_runs_speed_and_the_link():
    at = run_app({"speed": "slow"})
    no_errors(at)
    assert session(at).live.speed == "slow" and widget(at, "pills", "speed").value == "slow"
    widget(at, "pills", "speed").set_value("fast").run()
    no_errors(at)
    q = {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert session(at).live.speed == "fast" and q["speed"] == "fast"
    widget(at, "pills", "speed").set_value(None).run()  # the chosen speed clicked again: it stays
    assert session(at).live.speed == "fast" and widget(at, "pills", "speed").value == "fast"
    hidden = run_app({"speed": "slow", "hide": "speed"})  # a teacher's link: this speed, and no control
    no_errors(hidden)
    assert session(hidden).live.speed == "slow"
    assert not [w for w in hidden.get("button_group") if w.key == "speed"]
