"""The rule of who may do what (SPEC §10, tracker/services/roles.py), as a pure table.

The command line's and the app's use of it are tested in tests/integration/test_roles.py and
tests/ui/test_roles.py; here, the table itself: what needs the clinician is exactly what SPEC §10
lists, the clinician may do all the patient may, an action nobody classified is closed, and the
role comes from --role, else LDN_TRACKER_ROLE, else the patient.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.services.roles import (
    CLINICIAN,
    ENV_ROLE,
    NEEDS,
    PATIENT,
    PROTOCOL_SETTINGS,
    ROLES,
    actor,
    first_refused,
    may,
    parse_role,
    refusal,
    resolve_role,
)
from tracker.validation import ValidationError

ACTIONS = st.one_of(st.sampled_from(sorted(NEEDS)), st.text(max_size=30))


def test_what_needs_the_clinician_is_what_spec_10_lists() -> None:
    clinician_only = {action for action, role in NEEDS.items() if role == CLINICIAN}
    assert clinician_only == {
        "dismiss", "export --all", "clinic",
        "patient edit --target-mg", "patient edit --step-mg", "patient edit --interval-days",
        "patient edit --tolerance-days", "patient edit --weight-kg", "patient edit --transplant",
    }
    assert set(PROTOCOL_SETTINGS) == {a.removeprefix("patient edit ") for a in clinician_only
                                      if a.startswith("patient edit ")}


@pytest.mark.parametrize("action", ["dose", "effect", "score", "plan", "alerts", "summary",
                                    "report", "export", "patient list", "patient add",
                                    "patient edit", "patient edit --informed", "app", "demo",
                                    "verify"])
def test_the_patient_keeps_their_diary_and_reads_their_own_records(action: str) -> None:
    assert may(PATIENT, action) and may(CLINICIAN, action)


@pytest.mark.parametrize("action", ["dismiss", "export --all", "clinic",
                                    *(f"patient edit {o}" for o in PROTOCOL_SETTINGS)])
def test_the_clinicians_actions_are_refused_to_the_patient(action: str) -> None:
    assert not may(PATIENT, action)
    assert may(CLINICIAN, action)


def test_an_action_nobody_classified_needs_the_clinician() -> None:
    assert "erase everything" not in NEEDS
    assert not may(PATIENT, "erase everything")
    assert may(CLINICIAN, "erase everything")


@given(action=ACTIONS)
def test_the_clinician_may_do_all_the_patient_may(action: str) -> None:
    assert may(PATIENT, action) <= may(CLINICIAN, action)


@given(actions=st.lists(ACTIONS, max_size=6))
def test_the_first_refused_action_is_the_first_the_role_may_not_take(
        actions: list[str]) -> None:
    assert first_refused(CLINICIAN, actions) is None
    refused = [a for a in actions if not may(PATIENT, a)]
    assert first_refused(PATIENT, actions) == (refused[0] if refused else None)


def test_the_refusal_names_the_action_the_role_needed_and_the_role_now() -> None:
    message = refusal(PATIENT, "dismiss")
    assert message.render("en") == "dismiss needs --role clinician (the role now is patient)"
    assert message.render("da") == "dismiss kræver --role clinician (rollen er nu patient)"


@pytest.mark.parametrize("role", ROLES)
def test_a_role_is_typed_exactly(role: str) -> None:
    assert parse_role(role) == role


@pytest.mark.parametrize("text", ["", "Clinician", " patient", "nurse", "admin", "doctor"])
def test_any_other_role_is_refused_naming_the_option_and_the_two_allowed(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_role(text)
    assert caught.value.field == "--role"
    rendered = caught.value.message.render("en")
    assert rendered.startswith("--role must be patient or clinician") and repr(text) in rendered


def test_the_role_comes_from_the_option_else_the_environment_else_the_patient() -> None:
    assert resolve_role(None, {}) == PATIENT
    assert resolve_role(None, {ENV_ROLE: ""}) == PATIENT  # set but empty: not given
    assert resolve_role(None, {ENV_ROLE: "clinician"}) == CLINICIAN
    assert resolve_role("patient", {ENV_ROLE: "clinician"}) == PATIENT
    assert resolve_role("clinician", {ENV_ROLE: "nurse"}) == CLINICIAN  # the option decides


def test_a_bad_role_in_the_environment_is_refused_naming_it_and_the_option() -> None:
    with pytest.raises(ValidationError) as caught:
        resolve_role(None, {ENV_ROLE: "superuser"})
    assert caught.value.field == ENV_ROLE
    for language, words in (("en", "must be patient or clinician"),
                            ("da", "skal være patient eller clinician")):
        text = caught.value.message.render(language)
        assert text.startswith(ENV_ROLE) and words in text
        assert "--role" in text and "'superuser'" in text


def test_the_audit_trails_actor_is_patient_or_clinician_and_the_login() -> None:
    assert actor(PATIENT) == "patient"
    assert actor(PATIENT, "anna") == "patient"  # the patient's login is not recorded
    assert actor(CLINICIAN, "dr-jensen") == "clinician:dr-jensen"


def test_the_clinicians_actor_is_the_os_login(monkeypatch: pytest.MonkeyPatch) -> None:
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "dr-hansen")
    assert actor(CLINICIAN) == "clinician:dr-hansen"

    def nobody() -> str:
        raise OSError("no user name")

    monkeypatch.setattr(getpass, "getuser", nobody)
    assert actor(CLINICIAN) == "clinician:unknown"

