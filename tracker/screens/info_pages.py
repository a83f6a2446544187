"""The plain-language pages: the off-label information and the page for a child's family.

Off-label use carries a stricter duty to inform (SPEC §6): the patient reads what LDN is, its
side effects, the 3–4 day rule and the opioid warning, and the app records when it was
acknowledged. Each paragraph is its own translatable string, so translators see short units.
"""

from __future__ import annotations

from tracker.i18n import N_, _

OFF_LABEL = (
    N_("# About Low Dose Naltrexone (LDN)"),
    N_("**What it is.** Naltrexone is a medicine approved in much higher doses (50 mg and more) "
       "for alcohol and opioid dependence. In a low dose, usually 0.5 to 4.5 mg once a day, it "
       "is used to calm the immune system and pain signalling."),
    N_("**Off-label use.** LDN is not approved for your condition. Your doctor prescribes it "
       "'off-label', based on experience and studies, and the pharmacy makes it specially for "
       "you as capsules or a liquid. You may stop at any time."),
    N_("**Start low, go slow.** You start on a very small dose that rises in small steps every "
       "few weeks. The app shows tonight's dose and when it changes."),
    N_("**Side effects** are usually mild and pass: vivid dreams, headache, restlessness, "
       "difficulty sleeping, nausea, loss of appetite, loose or hard stool. With MS, fatigue or "
       "spasticity can increase for a while; with CFS/ME, flu-like symptoms."),
    N_("**The 3–4 day rule.** Side effects should last at most 3 to 4 days. If they last "
       "longer, the dose is halved for one week and then raised again. Log your side effects "
       "every evening: the app tells you when this applies."),
    N_("**Never with opioids.** LDN blocks opioids: morphine, codeine, tramadol, oxycodone, "
       "fentanyl, methadone, and also loperamide (Imodium) and cough medicine with codeine. "
       "They will not work, and stopping LDN is needed 7 days before. Always tell doctors, "
       "dentists and the pharmacy that you take LDN, and tell your LDN doctor about any new "
       "medicine."),
    N_("**Organ transplant.** If you have had an organ transplant, LDN is advised against: "
       "talk to your doctor first."),
)

FAMILY = (
    N_("# LDN for your child: a page for the family"),
    N_("Children under 40 kg get a dose that depends on their weight: 0.1 mg for each kg of "
       "body weight. Your child starts on 0.1 mg, and the dose rises once a week for four "
       "weeks until it reaches the full dose."),
    N_("Give the dose at the same time every evening. The doses are very small, so a liquid "
       "is usually needed: measure it with the syringe from the pharmacy, never a kitchen "
       "spoon."),
    N_("Each evening, note in the app whether the dose was given, and any side effects: vivid "
       "dreams, headache, restlessness, poor sleep, nausea, poor appetite, stomach upset. They "
       "are usually mild and pass within a few days. If they last more than 3–4 days, the dose "
       "is halved for a week: the app shows when."),
    N_("Never give your child medicine with opioids while on LDN, including cough medicine "
       "with codeine and loperamide for diarrhoea. Ask the pharmacy if you are unsure."),
    N_("Weigh your child now and then: when the weight changes, the dose may need to change "
       "too. Call the clinic if you are worried about anything."),
)


def page(paragraphs: tuple[str, ...]) -> str:
    return "\n\n".join(_(p) for p in paragraphs)
