"""The FHIR bundle (SPEC §11): out with ``export --format fhir``, in with ``import``.

Each test drives the command line in-process (``tracker.cli.main``) on a real SQLite file, and
on PostgreSQL where ``db_target`` says so. A round trip exports one database and imports into
another: ``plan``, ``alerts`` and ``summary`` of the imported patient must then be the
source's, ids aside, and the imported database's own export must have the same ``fullUrl``s.
"""

from __future__ import annotations

import json
import os
import stat
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.cli import main
from tracker.export import fhir_codes as codes
from tracker.i18n import set_language
from tracker.services.clinic import CheckIn, Clinic
from tracker.storage.database import Database

TODAY = date(2026, 3, 1)


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY.isoformat())
    monkeypatch.setenv("LDN_TRACKER_LANG", "en")
    set_language("en")


def cli(capsys: pytest.CaptureFixture[str], *args: str, code: int = 0) -> tuple[str, str]:
    capsys.readouterr()
    got = main(list(args))
    out, err = capsys.readouterr()
    assert got == code, f"{args} exited {got}, not {code}: {err}"
    return out, err


def add(capsys: pytest.CaptureFixture[str], target: str, name: str, *args: str) -> int:
    out, _err = cli(capsys, "--db", target, "patient", "add", "--name", name, *args)
    return int(out.strip())


def rich_patient(capsys: pytest.CaptureFixture[str], target: str) -> int:
    """A patient with one of everything a bundle carries."""
    pid = add(capsys, target, "Jens Hansen", "--condition", "ms", "--start", "2026-01-05",
              "--informed", "2026-01-02", "--tolerance-days", "3", "--target-mg", "3")
    db = Database(target)
    try:
        clinic = Clinic(db, actor="patient")
        plan = clinic.plan(pid, until=TODAY)
        day = date(2026, 1, 5)
        n = 0
        while day <= TODAY - timedelta(days=1):
            planned = plan.on(day)
            entry: dict[str, Any] = {"day": day, "scores": {"pain": 7 - n // 10, "Knæ": n % 5}}
            if n % 13 == 5:
                entry["taken"] = False
            elif planned is not None and planned.dose_mg > 0:
                entry.update(taken=True, mg=planned.dose_mg, time="21:30" if n % 2 else None)
            if 10 <= n <= 14:
                entry["effects"] = {"headache": 2, "vivid_dreams": 1}
            elif n % 4 == 0:
                entry["no_side_effects"] = True
            if n % 9 == 0:
                entry["note"] = "Slept badly; =cmd| 'not a formula'"
            clinic.check_in(pid, CheckIn(**entry))
            n += 1
            day += timedelta(days=1)
        clinic.add_medication(pid, "tramadol", date(2026, 2, 10), date(2026, 2, 12))
        clinic.add_medication(pid, "Levothyroxin")
        clinic.add_chemo(pid, date(2026, 2, 20), date(2026, 2, 21))
    finally:
        db.dispose()
    codes_dates = json.loads(cli(capsys, "--db", target, "alerts", "--patient", str(pid),
                                 "--format", "json")[0])
    first = codes_dates[0]
    cli(capsys, "--db", target, "--role", "clinician", "dismiss", "--patient", str(pid),
        "--code", first["code"], "--date", first["date"], "--reason", "seen at the visit")
    return pid


def review(capsys: pytest.CaptureFixture[str], target: str, pid: int) -> dict[str, Any]:
    """What must survive the round trip: plan, alerts and summary, ids aside."""
    out = {}
    for command in ("plan", "alerts"):
        out[command] = json.loads(cli(capsys, "--db", target, command, "--patient", str(pid),
                                      "--format", "json")[0])
    summary = json.loads(cli(capsys, "--db", target, "summary", "--patient", str(pid),
                             "--format", "json")[0])
    summary["patient"].pop("id")
    out["summary"] = summary
    return out


def export(capsys: pytest.CaptureFixture[str], target: str, pid: int, out: Path) -> dict[str, Any]:
    cli(capsys, "--db", target, "export", "--patient", str(pid), "--format", "fhir",
        "--out", str(out))
    return dict(json.loads(out.read_text(encoding="utf-8")))


def imported(capsys: pytest.CaptureFixture[str], target: str, file: Path, *flags: str,
             code: int = 0) -> tuple[str, str]:
    return cli(capsys, "--db", target, "import", str(file), *flags, code=code)


def second_target(db_target: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if db_target.endswith(".db"):
        return str(tmp_path / "clinic.db")
    return str(request.getfixturevalue("pg_server").create())


@pytest.fixture
def other_target(db_target: str, tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    target = second_target(db_target, tmp_path, request)
    yield target
    if not target.endswith(".db"):
        request.getfixturevalue("pg_server").drop(target)


# -- the way out ------------------------------------------------------------------------------

def test_bundle_validates_and_follows_dk_core(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    target = str(tmp_path / "home.db")
    pid = rich_patient(capsys, target)
    data = export(capsys, target, pid, tmp_path / "jens.json")
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    patient = bundle.entry[0].resource
    assert kinds[0] == "Patient"
    assert codes.DK_CORE_PATIENT in patient.meta.profile
    # DK Core Patient: identifier 1..*, and the name as given.
    assert patient.identifier and patient.identifier[0].value == bundle.entry[0].fullUrl
    assert patient.name[0].text == "Jens Hansen"
    for entry in bundle.entry:
        assert entry.fullUrl.startswith("urn:uuid:")
        resource = entry.resource
        if resource.get_resource_type() == "Observation":
            assert codes.DK_CORE_OBSERVATION in resource.meta.profile
            assert resource.subject.reference == bundle.entry[0].fullUrl  # DK Core: 1..1
            assert [c.code for c in resource.category[0].coding] == ["survey"]
    doses = [e.resource for e in bundle.entry
             if e.resource.get_resource_type() == "MedicationAdministration"]
    assert {d.status for d in doses} == {"completed", "not-done"}
    taken = next(d for d in doses if d.status == "completed")
    assert (taken.dosage.dose.system, taken.dosage.dose.code) == (codes.UCUM, "mg")
    assert taken.medicationCodeableConcept.coding[0].code == "N07BB04"
    statements = [e.resource for e in bundle.entry
                  if e.resource.get_resource_type() == "MedicationStatement"]
    assert len(statements) == 3  # LDN with its protocol, tramadol, levothyroxine
    assert kinds.count("Procedure") == 1
    flags = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "Flag"]
    listed = json.loads(cli(capsys, "--db", target, "alerts", "--patient", str(pid),
                            "--format", "json")[0])
    open_now = sorted((a["code"], a["date"]) for a in listed if a["status"] == "open")
    # The open alerts (SPEC §13's status) as active Flags; the dismissed one inactive, with why.
    assert sorted((f.code.coding[0].code, f.period.start.isoformat()) for f in flags
                  if f.status == "active") == open_now
    assert [f.status for f in flags if f.status != "active"] == ["inactive"]
    pain = [e.resource for e in bundle.entry
            if e.resource.get_resource_type() == "Observation"
            and any(c.code == "72514-3" for c in e.resource.code.coding)]
    assert pain and all(p.valueInteger is not None for p in pain)
    assert stat.S_IMODE(os.stat(tmp_path / "jens.json").st_mode) == 0o600


def test_a_second_export_has_the_same_full_urls(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    target = str(tmp_path / "home.db")
    pid = rich_patient(capsys, target)
    first = export(capsys, target, pid, tmp_path / "one.json")
    second = export(capsys, target, pid, tmp_path / "two.json")
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]
    assert len({e["fullUrl"] for e in first["entry"]}) == len(first["entry"])


def test_export_all_writes_one_bundle_per_patient(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    target = str(tmp_path / "clinic.db")
    ids = [add(capsys, target, name, "--condition", "fibromyalgia", "--start", "2026-02-01")
           for name in ("Anna", "Bo", "Carl")]
    out = tmp_path / "bundles"
    cli(capsys, "--db", target, "export", "--all", "--format", "fhir", "--out", str(out),
        code=2)  # a patient may not export every patient
    listed, _err = cli(capsys, "--db", target, "--role", "clinician", "export", "--all",
                       "--format", "fhir", "--out", str(out))
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [f"patient-{pid}.json" for pid in ids]
    assert listed.split() == [str(out / f"patient-{pid}.json") for pid in ids]
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
        Bundle.model_validate(json.loads(file.read_text(encoding="utf-8")))


# -- the way in -------------------------------------------------------------------------------

def test_round_trip_equal_and_idempotent(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                         db_target: str, other_target: str) -> None:
    pid = rich_patient(capsys, db_target)
    file = tmp_path / "jens.json"
    source = export(capsys, db_target, pid, file)
    out, _err = imported(capsys, other_target, file)
    new_id = int(out.split()[1].rstrip(":"))
    flags = sum(e["resource"]["resourceType"] == "Flag" and e["resource"]["status"] == "active"
                for e in source["entry"])
    # Every entry is a row but the treatment (part of the patient) and the open alerts' Flags.
    assert f" {len(source['entry']) - 1 - flags} entries added" in out
    assert review(capsys, other_target, new_id) == review(capsys, db_target, pid)
    again, _err = imported(capsys, other_target, file)
    assert f"Patient {new_id}: 0 entries added" in again
    back = export(capsys, other_target, new_id, tmp_path / "back.json")
    assert [e["fullUrl"] for e in back["entry"]] == [e["fullUrl"] for e in source["entry"]]
    for bundle in (source, back):
        bundle.pop("meta")
        bundle.pop("timestamp")
    assert back == source
    verified, _err = cli(capsys, "--db", other_target, "--role", "clinician", "verify")
    assert "intact" in verified


def test_dry_run_writes_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    home = str(tmp_path / "home.db")
    pid = rich_patient(capsys, home)
    file = tmp_path / "jens.json"
    export(capsys, home, pid, file)
    clinic = tmp_path / "clinic.db"
    add(capsys, str(clinic), "Someone", "--condition", "ms", "--start", "2026-01-01")
    before = clinic.read_bytes()
    out, _err = imported(capsys, str(clinic), file, "--dry-run")
    assert "nothing written" in out and "would be added" in out
    assert clinic.read_bytes() == before
    missing = tmp_path / "none.db"
    imported(capsys, str(missing), file, "--dry-run", code=2)
    assert not missing.exists()


def test_conflicts_refused_whole_unless_replace(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    home = str(tmp_path / "home.db")
    pid = rich_patient(capsys, home)
    first = tmp_path / "first.json"
    export(capsys, home, pid, first)
    clinic = str(tmp_path / "clinic.db")
    out, _err = imported(capsys, clinic, first)
    cid = int(out.split()[1].rstrip(":"))
    # At home: a correction of 20 January and a new day; the clinic takes the file again.
    cli(capsys, "--db", home, "dose", "--patient", str(pid), "--date", "2026-01-20", "--mg",
        "0.5", "--reason", "I took half")
    cli(capsys, "--db", home, "score", "--patient", str(pid), "--date", "2026-03-01",
        "--symptom", "pain", "--value", "2")
    second = tmp_path / "second.json"
    export(capsys, home, pid, second)
    snapshot = Path(clinic).read_bytes()
    _out, err = imported(capsys, clinic, second, code=2)
    assert "2026-01-20" in err and "--replace" in err
    assert Path(clinic).read_bytes() == snapshot  # not even the new day was taken
    out, _err = imported(capsys, clinic, second, "--replace")
    assert "1 entries added" in out and "2026-01-20" in out
    assert review(capsys, clinic, cid) == review(capsys, home, pid)
    db = Database(clinic)
    try:
        trail = Clinic(db).audit_trail(cid)
    finally:
        db.dispose()
    corrected = [a for a in trail if a.table_name == "dose_entry" and a.action == "update"]
    assert [(a.field, a.new_value, a.reason) for a in corrected] == [
        ("mg", "0.5", f"imported from {second}")]


def test_replace_of_protocol_settings_needs_the_clinician(capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    home = str(tmp_path / "home.db")
    pid = add(capsys, home, "Anna", "--condition", "fibromyalgia", "--start", "2026-02-01")
    file = tmp_path / "anna.json"
    export(capsys, home, pid, file)
    clinic = str(tmp_path / "clinic.db")
    imported(capsys, clinic, file)
    cli(capsys, "--db", home, "--role", "clinician", "patient", "edit", "--patient", str(pid),
        "--target-mg", "3", "--reason", "lower target")
    export(capsys, home, pid, file)
    _out, err = imported(capsys, clinic, file, "--replace", code=2)
    assert "clinician" in err
    out, _err = cli(capsys, "--db", clinic, "--role", "clinician", "import", str(file),
                    "--replace")
    assert "target_mg" in out
    summary = json.loads(cli(capsys, "--db", clinic, "summary", "--patient", "1", "--format",
                             "json")[0])
    assert summary["patient"]["target_mg"] == 3


def _mutated(source: dict[str, Any], kind: str, change: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(source))
    for entry in data["entry"]:
        if entry["resource"]["resourceType"] == kind and change(entry["resource"]):
            return data
    raise AssertionError(f"no {kind} to change")


def _dose_45(r: dict[str, Any]) -> bool:
    if r["status"] != "completed":
        return False
    r["dosage"]["dose"]["value"] = 45
    return True


def _severity_7(r: dict[str, Any]) -> bool:
    if r["code"]["coding"][0]["system"] != codes.SIDE_EFFECT_SYSTEM:
        return False
    r["valueInteger"] = 7
    return True


def _february_30(r: dict[str, Any]) -> bool:
    r["effectiveDateTime"] = "2026-02-30"
    return True


def _r5_administration(r: dict[str, Any]) -> bool:
    r["occurenceDateTime"] = r.pop("effectiveDateTime")
    r["medication"] = {"concept": r.pop("medicationCodeableConcept")}
    return True


@pytest.mark.parametrize(("case", "expected"), [
    ("not json", "is not JSON"),
    ("not a bundle", "is not a FHIR Bundle"),
    ("another version", "not an element of FHIR R4"),
    ("unknown resource", "is not a FHIR R4 resource"),
    ("dose 45 mg", "Dose 45 mg"),
    ("severity 7", "from 0 to 4 (got 7)"),
    ("30 February", "effectiveDateTime"),
])
def test_bad_files_refused_naming_the_entry(case: str, expected: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    home = str(tmp_path / "home.db")
    pid = rich_patient(capsys, home)
    source = export(capsys, home, pid, tmp_path / "good.json")
    file = tmp_path / "bad.json"
    if case == "not json":
        file.write_text('{"resourceType": "Bundle", ', encoding="utf-8")
    elif case == "not a bundle":
        file.write_text(json.dumps(source["entry"][0]["resource"]), encoding="utf-8")
    else:
        data = {
            "another version": lambda: _mutated(source, "MedicationAdministration",
                                                _r5_administration),
            "unknown resource": lambda: {**source, "entry": [
                *source["entry"], {"resource": {"resourceType": "NutritionProduct"}}]},
            "dose 45 mg": lambda: _mutated(source, "MedicationAdministration", _dose_45),
            "severity 7": lambda: _mutated(source, "Observation", _severity_7),
            "30 February": lambda: _mutated(source, "Observation", _february_30),
        }[case]()
        file.write_text(json.dumps(data), encoding="utf-8")
    clinic = tmp_path / "clinic.db"
    _out, err = imported(capsys, str(clinic), file, code=2)
    assert expected in err
    assert "Traceback" not in err and "internal error" not in err
    if case not in ("not json", "not a bundle", "unknown resource"):
        assert "entry " in err  # the entry is named
    assert not clinic.exists()  # nothing written, not even an empty database


def test_a_bundle_of_only_observations_for_a_known_patient(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Another system's bundle: two pain scores and a blood pressure, for a patient the clinic
    has, named by the tracker's identifier only."""
    clinic = str(tmp_path / "clinic.db")
    pid = add(capsys, clinic, "Anna", "--condition", "fibromyalgia", "--start", "2026-02-01")
    mine = export(capsys, clinic, pid, tmp_path / "anna.json")
    identifier = mine["entry"][0]["resource"]["identifier"][0]

    def observation(code: dict[str, str], day: str, value: int) -> dict[str, Any]:
        return {"resource": {
            "resourceType": "Observation", "status": "final", "code": {"coding": [code]},
            "subject": {"identifier": identifier}, "effectiveDateTime": day,
            "valueInteger": value}}

    pain = {"system": codes.LOINC, "code": "72514-3"}
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        observation(pain, "2026-02-10", 6), observation(pain, "2026-02-11", 5),
        observation({"system": codes.LOINC, "code": "8480-6"}, "2026-02-11", 120)]}
    file = tmp_path / "other-system.json"
    file.write_text(json.dumps(bundle), encoding="utf-8")
    out, _err = imported(capsys, clinic, file)
    assert f"Patient {pid}: 2 entries added" in out
    assert "passed over" in out and "8480-6" in out
    db = Database(clinic)
    try:
        assert Clinic(db).day_entries(pid, date(2026, 2, 11)).scores == {"pain": 5}
    finally:
        db.dispose()
    again, _err = imported(capsys, clinic, file)
    assert "0 entries added" in again


# -- the property: any diary survives the round trip ------------------------------------------

DAYS = st.integers(min_value=0, max_value=59)
diaries = st.fixed_dictionaries({
    "protocol": st.sampled_from([("ms", ()), ("fibromyalgia", ("--step-mg", "1")),
                                 ("melanoma", ()), ("hashimoto", ("--tolerance-days", "3")),
                                 ("ms", ("--protocol", "pediatric", "--weight-kg", "20",
                                         "--formulation", "liquid", "--concentration", "1"))]),
    "doses": st.dictionaries(DAYS, st.one_of(st.none(), st.sampled_from([0.5, 1.0, 1.5, 3.0])),
                             max_size=40),
    "effects": st.dictionaries(st.tuples(DAYS, st.sampled_from(["headache", "nausea",
                                                                 "Ondt i tæerne"])),
                               st.integers(0, 4), max_size=15),
    "clear": st.sets(DAYS, max_size=10),
    "scores": st.dictionaries(st.tuples(DAYS, st.sampled_from(["pain", "fatigue", "Knæ"])),
                              st.integers(0, 10), max_size=30),
    "times": st.sets(DAYS, max_size=10),
})


def log(target: str, pid: int, diary: dict[str, Any]) -> None:
    start = date(2026, 1, 1)
    db = Database(target)
    try:
        clinic = Clinic(db)
        for offset, mg in diary["doses"].items():
            clinic.log_dose(pid, start + timedelta(days=offset), taken=mg is not None, mg=mg,
                            time="07:05" if offset in diary["times"] else None, confirm=True)
        for offset in diary["clear"]:
            clinic.log_no_effects(pid, start + timedelta(days=offset))
        for (offset, name), severity in diary["effects"].items():
            clinic.log_effect(pid, start + timedelta(days=offset), name, severity)
        for (offset, name), value in diary["scores"].items():
            clinic.log_score(pid, start + timedelta(days=offset), name, value)
    finally:
        db.dispose()


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(diary=diaries)
def test_any_diary_survives_the_round_trip(diary: dict[str, Any], tmp_path_factory: Any,
                                           capsys: pytest.CaptureFixture[str],
                                           db_target: str, request: pytest.FixtureRequest
                                           ) -> None:
    work = tmp_path_factory.mktemp("trip")
    if db_target.endswith(".db"):
        source, target = str(work / "home.db"), str(work / "clinic.db")
        made: list[str] = []
    else:
        server = request.getfixturevalue("pg_server")
        made = [server.create(), server.create()]
        source, target = made
    try:
        condition, extra = diary["protocol"]
        pid = add(capsys, source, "Prop", "--condition", condition, "--start", "2026-01-01",
                  *extra)
        log(source, pid, diary)
        file = work / "bundle.json"
        data = export(capsys, source, pid, file)
        Bundle.model_validate(data)
        out, _err = imported(capsys, target, file)
        new_id = int(out.split()[1].rstrip(":"))
        assert review(capsys, target, new_id) == review(capsys, source, pid)
        again, _err = imported(capsys, target, file)
        assert "0 entries added" in again
    finally:
        for url in made:
            request.getfixturevalue("pg_server").drop(url)


def test_the_documented_example_is_a_bundle_that_imports(capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path) -> None:
    """docs/fhir-example.json, as docs/fhir.md shows it, validates and imports."""
    example = Path(__file__).resolve().parents[2] / "docs" / "fhir-example.json"
    Bundle.model_validate(json.loads(example.read_text(encoding="utf-8")))
    out, _err = imported(capsys, str(tmp_path / "clinic.db"), example)
    assert out.startswith("Patient 1: ") and "6 entries added" in out


def test_the_command_line_around_the_bundle(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    target = str(tmp_path / "home.db")
    pid = add(capsys, target, "Anna", "--condition", "ms", "--start", "2026-02-01")
    _out, err = cli(capsys, "--db", target, "export", "--patient", str(pid), "--format", "fhir",
                    "--dialect", "excel-da", "--out", str(tmp_path / "a.json"), code=2)
    assert "--dialect" in err and not (tmp_path / "a.json").exists()
    _out, err = cli(capsys, "--db", target, "export", "--patient", str(pid), "--format", "fhir",
                    "--out", str(tmp_path), code=2)
    assert "folder" in err
    nested = tmp_path / "for the clinic" / "anna.json"
    export(capsys, target, pid, nested)
    assert stat.S_IMODE(nested.parent.stat().st_mode) == 0o700
    _out, err = imported(capsys, target, tmp_path, code=2)
    assert "is a folder" in err
    _out, err = imported(capsys, target, tmp_path / "missing.json", code=2)
    assert "no such file" in err
