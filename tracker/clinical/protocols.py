"""The titration protocols of SPEC §3 and the guide's conditions mapped onto them.

Every number is guidance only: ``build_settings`` starts from a protocol's defaults and applies
the clinician's edits, refusing only what the SPEC forbids (a target above the maximum, the
cancer cap of 6 mg, a missing weight for a child).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from tracker.clinical.model import (
    CANCER_CAP_MG,
    HARD_LIMIT_MG,
    PEDIATRIC_WEIGHT_LIMIT_KG,
    Formulation,
    PatientSettings,
)
from tracker.i18n import N_, Message


@dataclass(frozen=True)
class Protocol:
    name: str
    start_mg: float
    start_days: int
    step_mg: float
    interval_days: int
    target_mg: float
    max_mg: float
    label: str  # English, marked for translation


PROTOCOLS: dict[str, Protocol] = {
    p.name: p
    for p in (
        Protocol("autoimmune", 0.75, 14, 0.5, 21, 4.5, 12, N_("Autoimmune disease")),
        Protocol("autoimmune_thyroid", 0.2, 14, 0.5, 21, 4.5, 12, N_("Autoimmune thyroid disease")),
        Protocol("chronic_pain", 0.75, 14, 0.5, 21, 4.5, 12, N_("Chronic pain")),
        Protocol("cfs_me", 0.2, 14, 0.5, 21, 4.5, 12, N_("CFS/ME")),
        Protocol("cancer", 1.5, 7, 1.5, 7, 4.5, CANCER_CAP_MG, N_("Cancer")),
        Protocol("fertility", 1, 14, 0.5, 14, 4.5, 12, N_("Fertility")),
        Protocol("mental_health", 0.75, 14, 0.5, 14, 4.5, 12, N_("Mental health")),
        Protocol("pediatric", 0.1, 7, 0.0, 7, 0.1, 0.1, N_("Children under 40 kg")),
    )
}

# The guide warns a slower rise may be needed for CFS/ME: the UI suggests this interval.
CFS_ME_SUGGESTED_INTERVAL_DAYS = 28


@dataclass(frozen=True)
class Condition:
    key: str
    en: str
    da: str
    protocol: str


CONDITIONS: tuple[Condition, ...] = (
    Condition("nerve_pain", "Nerve pain", "Nervesmerter", "chronic_pain"),
    Condition("chronic_pain", "Chronic pain", "Kroniske smerter", "chronic_pain"),
    Condition("osteoarthritis", "Osteoarthritis", "Artrose", "chronic_pain"),
    Condition("fibromyalgia", "Fibromyalgia", "Fibromyalgi", "chronic_pain"),
    Condition("crps", "Complex regional pain syndrome (CRPS)",
              "Kompleks regionalt smertesyndrom (CRPS)", "chronic_pain"),
    Condition("lyme", "Lyme disease (Borrelia)", "Borrelia", "autoimmune"),
    Condition("cfs_me", "CFS/ME", "CFS/ME", "cfs_me"),
    Condition("ibd", "Inflammatory bowel disease", "Inflammatorisk tarmsygdom", "autoimmune"),
    Condition("autoimmune_hepatitis", "Autoimmune hepatitis", "Autoimmun hepatitis", "autoimmune"),
    Condition("sjogren", "Sjögren's syndrome", "Sjögrens syndrom", "autoimmune"),
    Condition("arthritis", "Arthritis", "Artrit", "autoimmune"),
    Condition("psoriatic_arthritis", "Psoriatic arthritis", "Psoriasis artrit", "autoimmune"),
    Condition("ankylosing_spondylitis", "Ankylosing spondylitis", "Morbus Bechterew", "autoimmune"),
    Condition("ms", "Multiple sclerosis", "Multipel sclerose", "autoimmune"),
    Condition("hashimoto", "Hashimoto's thyroiditis", "Hashimotos thyreoiditis",
              "autoimmune_thyroid"),
    Condition("graves", "Graves' disease", "Graves sygdom", "autoimmune_thyroid"),
    Condition("parkinson", "Parkinson's disease", "Parkinsons sygdom", "autoimmune"),
    Condition("type1_diabetes", "Type 1 diabetes", "Diabetes type 1", "autoimmune"),
    Condition("vitiligo", "Vitiligo", "Vitiligo", "autoimmune"),
    Condition("scleroderma", "Scleroderma", "Sklerodermi", "autoimmune"),
    Condition("pcos", "PCOS", "PCOS", "autoimmune"),
    Condition("psoriasis", "Psoriasis", "Psoriasis", "autoimmune"),
    Condition("hailey_hailey", "Hailey-Hailey disease", "Hailey-Hailey", "autoimmune"),
    Condition("anxiety", "Anxiety", "Angst", "mental_health"),
    Condition("depression", "Depression", "Depression", "mental_health"),
    Condition("ptsd", "PTSD", "PTSD", "mental_health"),
    Condition("concussion", "Concussion", "Hjernerystelse", "mental_health"),
    Condition("pmdd", "PMDD", "PMDD", "mental_health"),
    Condition("fertility", "Fertility (NaPro)", "Fertilitet (NaPro)", "fertility"),
    Condition("melanoma", "Melanoma", "Melanom", "cancer"),
    Condition("glioblastoma", "Glioblastoma", "Glioblastom", "cancer"),
    Condition("oesophageal_oral_cancer", "Oesophageal and oral cancer", "Spiserør- og mundkræft",
              "cancer"),
    Condition("nsclc", "Non-small-cell lung cancer", "Ikke-småcellet lungekræft", "cancer"),
    Condition("breast_cancer", "Breast cancer", "Brystkræft", "cancer"),
    Condition("multiple_myeloma", "Multiple myeloma", "Multipelt myelom", "cancer"),
    Condition("lymphoma", "Lymphoma", "Lymfom", "cancer"),
    Condition("cervical_cancer", "Cervical cancer", "Livmoderhalskræft", "cancer"),
    Condition("renal_cell_cancer", "Renal cell cancer", "Nyrecellekræft", "cancer"),
    Condition("colorectal_cancer", "Colorectal cancer", "Kolorektal kræft", "cancer"),
    Condition("duodenal_gastric_cancer", "Duodenal and gastric cancer",
              "Duodenal- og mavekræft", "cancer"),
    Condition("liver_cancer", "Liver cancer", "Leverkræft", "cancer"),
)

# Further spellings people type, in both languages.
_ALIASES: dict[str, str] = {
    "borrelia": "lyme",
    "lyme": "lyme",
    "borreliose": "lyme",
    "ibd": "ibd",
    "crps": "crps",
    "cfs": "cfs_me",
    "me": "cfs_me",
    "me/cfs": "cfs_me",
    "sjogren's": "sjogren",
    "sjogrens": "sjogren",
    "sjögren": "sjogren",
    "sjogren": "sjogren",
    "ms": "ms",
    "sclerose": "ms",
    "hashimoto": "hashimoto",
    "hashimotos": "hashimoto",
    "hashimoto's": "hashimoto",
    "graves": "graves",
    "parkinson": "parkinson",
    "parkinsons": "parkinson",
    "type 1 diabetes": "type1_diabetes",
    "diabetes type i": "type1_diabetes",
    "diabetes type 1": "type1_diabetes",
    "t1d": "type1_diabetes",
    "angst og depression": "depression",
    "anxiety and depression": "depression",
    "fertility": "fertility",
    "fertilitet": "fertility",
    "napro": "fertility",
    "bechterew": "ankylosing_spondylitis",
    "lungekræft": "nsclc",
    "lung cancer": "nsclc",
    "ikke-småcellet kræft": "nsclc",
    "spiserør og mundkræft": "oesophageal_oral_cancer",
    "duodenal og mavekræft": "duodenal_gastric_cancer",
    "mavekræft": "duodenal_gastric_cancer",
    "gastric cancer": "duodenal_gastric_cancer",
    "oral cancer": "oesophageal_oral_cancer",
    "oesophageal cancer": "oesophageal_oral_cancer",
    "esophageal cancer": "oesophageal_oral_cancer",
    "pain": "chronic_pain",
    "borrelia disease": "lyme",
    "lyme borreliosis": "lyme",
    "complex regional pain syndrome": "crps",
    "kompleks regionalt smertesyndrom": "crps",
    "neuropathic pain": "nerve_pain",
    "neuropatiske smerter": "nerve_pain",
    "arthrosis": "osteoarthritis",
    "slidgigt": "osteoarthritis",
    "chronic fatigue syndrome": "cfs_me",
    "myalgic encephalomyelitis": "cfs_me",
    "kronisk træthedssyndrom": "cfs_me",
    "crohn": "ibd",
    "crohns": "ibd",
    "crohn's disease": "ibd",
    "morbus crohn": "ibd",
    "ulcerative colitis": "ibd",
    "colitis ulcerosa": "ibd",
    "rheumatoid arthritis": "arthritis",
    "leddegigt": "arthritis",
    "type i diabetes": "type1_diabetes",
    "polycystic ovary syndrome": "pcos",
    "systemic sclerosis": "scleroderma",
    "premenstrual dysphoric disorder": "pmdd",
    "kidney cancer": "renal_cell_cancer",
    "renal cell carcinoma": "renal_cell_cancer",
    "stomach cancer": "duodenal_gastric_cancer",
    "bowel cancer": "colorectal_cancer",
    "tarmkræft": "colorectal_cancer",
    "brain tumour": "glioblastoma",
    "myeloma": "multiple_myeloma",
    "angst": "anxiety",
}


_PUNCTUATION = str.maketrans({c: " " for c in "_-/(),.;:"} | {"'": None, "’": None})


def _fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key: "Graves' disease", "graves disease"
    and "GRAVES DISEASE" compare equal, as do "Sjögren's" and "sjogrens"."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.translate(_PUNCTUATION).split())


_BY_NAME: dict[str, Condition] = {}
for _c in CONDITIONS:
    for _name in (_c.key, _c.en, _c.da):
        _BY_NAME[_fold(_name)] = _c
_BY_KEY = {c.key: c for c in CONDITIONS}
for _alias, _key in _ALIASES.items():
    _BY_NAME.setdefault(_fold(_alias), _BY_KEY[_key])


def find_condition(text: str) -> Condition | None:
    """The condition a user typed, by key, English or Danish name, any case or accent."""
    return _BY_NAME.get(_fold(text))


class SettingsError(ValueError):
    """A protocol number the SPEC refuses; ``field`` names the offending setting."""

    def __init__(self, field: str, message: Message) -> None:
        super().__init__(message.render("en"))
        self.field = field
        self.message = message


def round_to(value: float, quantum: str) -> float:
    """Round half up to a decimal quantum ("0.05"), free of binary floating-point drift."""
    q = Decimal(quantum)
    return float((Decimal(str(value)) / q).quantize(Decimal(1), rounding=ROUND_HALF_UP) * q)


def pediatric_target_mg(weight_kg: float) -> float:
    """0.1 mg/kg, rounded to 0.05 mg like every pediatric step (SPEC §5)."""
    return round_to(0.1 * weight_kg, "0.05")


def build_settings(
    protocol: str,
    start_date: date,
    *,
    weight_kg: float | None = None,
    formulation: Formulation = "capsule",
    concentration_mg_ml: float | None = None,
    step_mg: float | None = None,
    tolerance_days: int = 4,
    target_mg: float | None = None,
    max_mg: float | None = None,
    start_mg: float | None = None,
    start_days: int | None = None,
    interval_days: int | None = None,
    transplant: bool = False,
    informed_on: date | None = None,
) -> PatientSettings:
    """A protocol's defaults with the clinician's edits, checked against SPEC §2–§5.

    A child under 40 kg is put on the ``pediatric`` protocol whatever was asked: the guide treats
    children by weight, and 40 kg and over as adults.
    """
    if protocol not in PROTOCOLS:
        raise SettingsError("protocol", Message(
            N_("Unknown protocol {value}. Known protocols: {known}."),
            {"value": protocol, "known": ", ".join(PROTOCOLS)}))
    if weight_kg is not None and not 0 < weight_kg <= 400:
        raise SettingsError("weight_kg", Message(
            N_("Weight must be above 0 and at most 400 kg (got {value})."), {"value": weight_kg}))
    if protocol == "pediatric" and weight_kg is None:
        raise SettingsError("weight_kg", Message(
            N_("Weight is required for a child: give the weight in kg (above 0, under 40).")))
    if protocol == "pediatric" and weight_kg is not None and weight_kg >= PEDIATRIC_WEIGHT_LIMIT_KG:
        raise SettingsError("weight_kg", Message(N_(
            "The pediatric protocol is for children under 40 kg (got {value} kg); "
            "40 kg and over follow an adult protocol."), {"value": weight_kg}))
    if weight_kg is not None and weight_kg < PEDIATRIC_WEIGHT_LIMIT_KG:
        protocol = "pediatric"
    if tolerance_days not in (3, 4):
        raise SettingsError("tolerance_days", Message(
            N_("Tolerance days must be 3 or 4 (got {value})."), {"value": tolerance_days}))
    if formulation not in ("capsule", "liquid"):
        raise SettingsError("formulation", Message(
            N_("Formulation must be capsule or liquid (got {value})."), {"value": formulation}))
    if formulation == "liquid":
        if concentration_mg_ml is None:
            raise SettingsError("concentration", Message(
                N_("A liquid needs its concentration in mg/ml (above 0, at most 25).")))
        if not 0 < concentration_mg_ml <= HARD_LIMIT_MG:
            raise SettingsError("concentration", Message(
                N_("Concentration must be above 0 and at most 25 mg/ml (got {value})."),
                {"value": concentration_mg_ml}))
    elif concentration_mg_ml is not None:
        raise SettingsError("concentration", Message(
            N_("A concentration applies only to a liquid (use --formulation liquid).")))

    base = PROTOCOLS[protocol]
    if protocol == "pediatric":
        assert weight_kg is not None
        target = pediatric_target_mg(weight_kg) if target_mg is None else target_mg
        maximum = pediatric_target_mg(weight_kg) if max_mg is None else max_mg
        step = round_to((target - base.start_mg) / 4, "0.0001")
    else:
        target = base.target_mg if target_mg is None else target_mg
        maximum = base.max_mg if max_mg is None else max_mg
        step = base.step_mg if step_mg is None else step_mg
        if step_mg is not None and step_mg not in (0.5, 1):
            raise SettingsError("step_mg", Message(
                N_("Step must be 0.5 or 1 mg (got {value})."), {"value": step_mg}))
    if not 0 < maximum <= HARD_LIMIT_MG:
        raise SettingsError("max_mg", Message(
            N_("Maximum must be above 0 and at most 25 mg (got {value})."), {"value": maximum}))
    if protocol == "cancer" and maximum > CANCER_CAP_MG:
        raise SettingsError("max_mg", Message(
            N_("The cancer protocol is capped at 6 mg (got a maximum of {value_mg})."),
            {"value_mg": maximum}))
    if protocol == "cancer" and target > CANCER_CAP_MG:
        raise SettingsError("target_mg", Message(
            N_("The cancer protocol is capped at 6 mg: a target of {value_mg} is refused."),
            {"value_mg": target}))
    if not target > 0:
        raise SettingsError("target_mg", Message(
            N_("Target must be above 0 mg (got {value})."), {"value": target}))
    if target > maximum:
        raise SettingsError("target_mg", Message(
            N_("Target {target_mg} is above the maximum {max_mg}: lower the target or raise "
               "the maximum."), {"target_mg": target, "max_mg": maximum}))
    start = base.start_mg if start_mg is None else start_mg
    if not 0 < start <= target:
        raise SettingsError("start_mg", Message(
            N_("Start dose must be above 0 and at most the target {target_mg} (got {value})."),
            {"target_mg": target, "value": start}))
    days = base.start_days if start_days is None else start_days
    interval = base.interval_days if interval_days is None else interval_days
    if not 1 <= days <= 365:
        raise SettingsError("start_days", Message(
            N_("Start days must be between 1 and 365 (got {value})."), {"value": days}))
    if not 1 <= interval <= 365:
        raise SettingsError("interval_days", Message(
            N_("Interval days must be between 1 and 365 (got {value})."), {"value": interval}))
    return PatientSettings(
        start_date=start_date,
        protocol=protocol,
        start_mg=start,
        start_days=days,
        step_mg=step,
        interval_days=interval,
        target_mg=target,
        max_mg=maximum,
        tolerance_days=tolerance_days,
        formulation=formulation,
        concentration_mg_ml=concentration_mg_ml,
        weight_kg=weight_kg,
        transplant=transplant,
        informed_on=informed_on,
    )
