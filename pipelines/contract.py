"""The data contract in machine-readable form: tables, columns, types, aliases and allowed values.

data/README.md describes the same contract for people; tests/pipelines/test_contract_docs.py
fails when the two disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from typing import Literal

from pipelines.coltypes import COLUMN_TYPES, TypeName
from pipelines.spelling import fold


@dataclass(frozen=True)
class Column:
    """One column of a contract table."""

    name: str
    type: TypeName  # its meaning: pipelines.coltypes.COLUMN_TYPES
    required: bool = False
    aliases: tuple[str, ...] = ()
    values: tuple[str, ...] = ()  # for enum: the canonical values
    value_aliases: dict[str, str] = field(default_factory=dict)  # for enum: other spellings
    min_value: float | None = None
    max_value: float | None = None
    strict_min: bool = False
    pseudonymise: Literal["participant", "buddy", "respondent"] | None = None
    description: str = ""


@dataclass(frozen=True)
class Table:
    """One contract table: its columns, its key and the references it makes."""

    name: str
    aliases: tuple[str, ...]
    grain: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # natural key for the upsert; () = keyed on the whole row's content
    # column -> the table(s) whose key it must match (a survey respondent is a participant or
    # a buddy); every referenced table has a one-column key
    references: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # identical rows in one file are separate records (two bookings of the same amount on the
    # same day), not a row exported twice: a row without its key is keyed on its content and
    # its occurrence among identical rows of its file, so a cumulative re-export matches again
    repeats: bool = False

    @property
    def column_names(self) -> list[str]:
        """Return the canonical column names in contract order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """Return the column called name."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def required(self) -> list[str]:
        """Return the names of the required columns."""
        return [c.name for c in self.columns if c.required]


def _enum(*pairs: tuple[str, tuple[str, ...]]) -> tuple[tuple[str, ...], dict[str, str]]:
    values = tuple(p[0] for p in pairs)
    aliases = {alias: canonical for canonical, alist in pairs for alias in alist}
    return values, aliases


END_REASONS, END_REASON_ALIASES = _enum(
    ("completed", ("voltooid", "afgerond", "termine", "terminé")),
    ("participant_stopped", ("deelnemer_gestopt", "deelnemer gestopt", "stop_participant")),
    ("buddy_stopped", ("buddy_gestopt", "buddy gestopt", "stop_buddy")),
    ("moved_away", ("verhuisd", "demenage", "déménagé")),
    ("lost_contact", ("contact_verloren", "contact verloren", "geen contact meer")),
    ("mismatch", ("geen_klik", "geen klik", "slechte match")),
    ("other", ("andere", "anders", "autre")),
)
ACTIVITIES, ACTIVITY_ALIASES = _enum(
    ("conversation", ("gesprek", "babbel", "conversation")),
    ("city_discovery", ("stad_ontdekken", "stad ontdekken", "wandeling", "stadsverkenning")),
    ("culture", ("cultuur", "culture")),
    ("sport", ("sport",)),
    ("library", ("bibliotheek", "bib", "bibliotheque", "bibliothèque")),
    ("event", ("evenement", "événement")),
    ("practical_help", ("praktische_hulp", "praktische hulp", "aide pratique")),
    ("group_activity", ("groepsactiviteit", "activité de groupe")),
    ("other", ("andere", "anders", "autre")),
)
REFERRAL_KINDS, REFERRAL_KIND_ALIASES = _enum(
    ("leisure", ("vrije_tijd", "vrije tijd", "vrijetijd", "loisirs")),
    ("volunteering", ("vrijwilligerswerk", "vrijwilliger", "bénévolat", "benevolat")),
    ("course", ("cursus", "opleiding", "cours")),
    ("work", ("werk", "job", "travail")),
    ("study", ("studie", "studies", "études", "etudes")),
    ("other", ("andere", "anders", "autre")),
)
REFERRAL_STATUSES, REFERRAL_STATUS_ALIASES = _enum(
    ("referred", ("doorverwezen",)),
    ("started", ("gestart", "begonnen")),
    ("ongoing_3m", ("na_3_maanden_actief", "na 3 maanden actief", "actief_3m")),
    ("stopped", ("gestopt",)),
)
ROLES, ROLE_ALIASES = _enum(
    ("participant", ("deelnemer", "nieuwkomer", "participant")),
    ("buddy", ("buddy", "vrijwilliger")),
)
WAVES, WAVE_ALIASES = _enum(
    ("intake", ("begin", "start", "voormeting")),
    ("end", ("einde", "eind", "nameting", "fin")),
    ("follow_up", ("opvolging", "follow-up", "followup", "suivi")),
)
DIRECTIONS, DIRECTION_ALIASES = _enum(
    ("income", ("inkomsten", "inkomst", "ontvangst", "revenus")),
    ("expense", ("uitgaven", "uitgave", "kost", "dépense", "depense")),
)
SOURCES, SOURCE_ALIASES = _enum(
    (
        "flemish_community_amif",
        ("vlaamse_gemeenschap_amif", "vlaamse gemeenschap", "amif", "vlaamse_gemeenschap"),
    ),
    ("vgc_own", ("vgc_eigen_middelen", "vgc eigen middelen", "eigen middelen", "vgc")),
    ("other", ("andere", "anders", "autre")),
)
CATEGORIES, CATEGORY_ALIASES = _enum(
    ("staff", ("personeel", "loon", "lonen")),
    ("activities", ("activiteiten",)),
    ("training", ("opleiding", "vorming")),
    ("communication", ("communicatie",)),
    ("overhead", ("werking", "werkingskosten")),
    ("other", ("andere", "anders", "autre")),
)

MUNICIPALITY_ALIASES = ("gemeente", "woonplaats", "commune")
GENDER_ALIASES = ("geslacht", "gender", "sexe")
BIRTH_YEAR_ALIASES = ("geboortejaar", "birth_date", "geboortedatum", "date_of_birth")
ORGANISATION_ALIASES = ("organisatie_id", "organisatie", "organisation")


def _likert(name: str, aliases: tuple[str, ...], description: str) -> Column:
    return Column(name, "int", aliases=aliases, min_value=1, max_value=5, description=description)


def _dj(i: int) -> Column:
    return Column(
        f"dj{i}",
        "int",
        min_value=0,
        max_value=1,
        description=f"De Jong Gierveld loneliness item {i}, scored 0/1 (1 = lonely answer)",
    )


# Contract order: data/README.md lists the tables in it, and the load order follows it wherever
# references leave a choice (organisations first: the network contacts, activities and referrals
# point into).
TABLES: tuple[Table, ...] = (
    Table(
        "organisations",
        ("organisaties",),
        "one row per organisation of the (Dutch-speaking) network",
        (
            Column("organisation_id", "id", True, ORGANISATION_ALIASES),
            Column("name", "text", True, ("naam", "nom")),
            Column("kind", "text", aliases=("soort", "type")),
            Column("municipality", "municipality", aliases=MUNICIPALITY_ALIASES),
            Column(
                "dutch_network",
                "bool",
                aliases=("nederlandstalig_netwerk", "nederlandstalig"),
            ),
            Column(
                "anchor_since",
                "date",
                aliases=("ankerplek_sinds", "ankerplaats_sinds"),
                description="date it became an anchor place (ankerplek); empty = not an anchor",
            ),
        ),
        key=("organisation_id",),
    ),
    Table(
        "participants",
        ("deelnemers", "nieuwkomers"),
        "one row per newcomer",
        (
            Column(
                "participant_id",
                "id",
                True,
                ("deelnemer_id", "deelnemersnummer", "deelnemer"),
                pseudonymise="participant",
                description="the programme's id of the newcomer",
            ),
            Column(
                "registered_on",
                "date",
                True,
                ("ingeschreven_op", "inschrijvingsdatum", "inschrijving"),
                description="date of registration",
            ),
            Column("intake_on", "date", aliases=("intake_op", "intakedatum", "intake")),
            Column(
                "birth_year",
                "year",
                aliases=BIRTH_YEAR_ALIASES,
                min_value=1920,
                description="year of birth (a full birth date is reduced to the year)",
            ),
            Column("gender", "gender", aliases=GENDER_ALIASES),
            Column(
                "country_of_birth",
                "text",
                aliases=("geboorteland", "pays_de_naissance"),
                description="country of birth, ISO 3166 code or name",
            ),
            Column("municipality", "municipality", aliases=MUNICIPALITY_ALIASES),
            Column(
                "dutch_level",
                "cefr",
                aliases=("niveau_nederlands", "taalniveau", "nederlands_niveau"),
                description="CEFR level of Dutch at intake, A0..C2",
            ),
            Column(
                "in_integration_trajectory",
                "bool",
                aliases=("inburgeringstraject", "in_inburgeringstraject", "inburgering"),
            ),
            Column("referred_by", "text", aliases=("doorverwezen_door", "verwijzer")),
        ),
        key=("participant_id",),
    ),
    Table(
        "buddies",
        ("vrijwilligers",),
        "one row per volunteer buddy",
        (
            Column(
                "buddy_id",
                "id",
                True,
                ("buddy_nummer", "buddy", "vrijwilliger_id"),
                pseudonymise="buddy",
            ),
            Column("registered_on", "date", True, ("ingeschreven_op", "inschrijvingsdatum")),
            Column(
                "trained_on",
                "date",
                aliases=("opgeleid_op", "basisopleiding_op", "basisopleiding"),
                description="date of the basic training",
            ),
            Column("birth_year", "year", aliases=BIRTH_YEAR_ALIASES, min_value=1920),
            Column("gender", "gender", aliases=GENDER_ALIASES),
            Column("municipality", "municipality", aliases=MUNICIPALITY_ALIASES),
        ),
        key=("buddy_id",),
    ),
    Table(
        "matches",
        ("koppelingen", "duos"),
        "one row per duo (a newcomer matched with a buddy)",
        (
            Column("match_id", "id", True, ("koppeling_id", "koppeling", "duo_id")),
            Column(
                "participant_id",
                "id",
                True,
                ("deelnemer_id", "deelnemersnummer", "deelnemer"),
                pseudonymise="participant",
            ),
            Column(
                "buddy_id",
                "id",
                True,
                ("buddy_nummer", "buddy", "vrijwilliger_id"),
                pseudonymise="buddy",
            ),
            Column("matched_on", "date", True, ("gekoppeld_op", "startdatum", "start")),
            Column("planned_end_on", "date", aliases=("geplande_einddatum", "gepland_einde")),
            Column("ended_on", "date", aliases=("beeindigd_op", "beëindigd_op", "einddatum")),
            Column(
                "end_reason",
                "enum",
                aliases=("reden_einde", "stopreden", "einde_reden"),
                values=END_REASONS,
                value_aliases=END_REASON_ALIASES,
            ),
        ),
        key=("match_id",),
        references={"participant_id": ("participants",), "buddy_id": ("buddies",)},
    ),
    Table(
        "contacts",
        ("contactmomenten", "contacten"),
        "one row per meeting of a duo",
        (
            Column("contact_id", "id", aliases=("contactmoment_id", "contact")),
            Column("match_id", "id", True, ("koppeling_id", "koppeling", "duo_id")),
            Column("contact_on", "date", True, ("datum", "contactdatum", "date")),
            Column(
                "hours",
                "hours",
                True,
                ("uren", "duur", "aantal_uren", "heures"),
                min_value=0,
                max_value=12,
                strict_min=True,
                description="duration of the meeting in hours, in (0, 12]",
            ),
            Column(
                "activity",
                "enum",
                aliases=("activiteit", "soort", "activité"),
                values=ACTIVITIES,
                value_aliases=ACTIVITY_ALIASES,
            ),
            Column("organisation_id", "id", aliases=ORGANISATION_ALIASES),
        ),
        key=("contact_id",),
        references={"match_id": ("matches",), "organisation_id": ("organisations",)},
    ),
    Table(
        "activities",
        ("groepsactiviteiten", "activiteiten"),
        "one row per attendance of a participant at a group activity",
        (
            Column("activity_id", "id", True, ("activiteit_id", "groepsactiviteit_id")),
            Column("activity_on", "date", True, ("datum", "activiteitsdatum", "date")),
            Column(
                "participant_id",
                "id",
                True,
                ("deelnemer_id", "deelnemersnummer", "deelnemer"),
                pseudonymise="participant",
            ),
            Column(
                "hours",
                "hours",
                aliases=("uren", "duur", "heures"),
                min_value=0,
                max_value=12,
                strict_min=True,
            ),
            Column("kind", "text", aliases=("soort", "type")),
            Column("organisation_id", "id", aliases=ORGANISATION_ALIASES),
        ),
        key=("activity_id", "participant_id"),
        references={"participant_id": ("participants",), "organisation_id": ("organisations",)},
    ),
    Table(
        "referrals",
        ("doorstroom", "doorverwijzingen"),
        "one row per flow-through (doorstroom) of a participant to an activity elsewhere",
        (
            Column(
                "participant_id",
                "id",
                True,
                ("deelnemer_id", "deelnemersnummer", "deelnemer"),
                pseudonymise="participant",
            ),
            Column("referred_on", "date", True, ("doorverwezen_op", "datum", "date")),
            Column(
                "kind",
                "enum",
                True,
                ("soort", "type"),
                values=REFERRAL_KINDS,
                value_aliases=REFERRAL_KIND_ALIASES,
            ),
            Column("organisation_id", "id", aliases=ORGANISATION_ALIASES),
            Column(
                "status",
                "enum",
                aliases=("stand",),
                values=REFERRAL_STATUSES,
                value_aliases=REFERRAL_STATUS_ALIASES,
            ),
            Column("status_on", "date", aliases=("status_op", "datum_status")),
        ),
        key=("participant_id", "referred_on", "kind", "organisation_id"),
        references={"participant_id": ("participants",), "organisation_id": ("organisations",)},
    ),
    Table(
        "surveys",
        ("bevragingen", "enquetes", "vragenlijsten"),
        "one row per answered questionnaire (respondent, role, wave)",
        (
            Column(
                "respondent_id",
                "id",
                True,
                ("respondent", "deelnemer_id"),
                pseudonymise="respondent",
                description="participant_id or buddy_id of the respondent",
            ),
            Column(
                "respondent_role",
                "enum",
                aliases=("rol", "role"),
                values=ROLES,
                value_aliases=ROLE_ALIASES,
            ),
            Column(
                "wave", "enum", True, ("meting", "golf"), values=WAVES, value_aliases=WAVE_ALIASES
            ),
            Column("answered_on", "date", True, ("beantwoord_op", "datum", "date")),
            *(_dj(i) for i in range(1, 7)),
            _likert("dutch_confidence", ("vertrouwen_nederlands",), "confidence speaking Dutch"),
            _likert("feel_at_home", ("thuisgevoel", "thuis_voelen"), "feels at home in Brussels"),
            Column(
                "dutch_speaking_contacts",
                "int",
                aliases=("nederlandstalige_contacten",),
                min_value=0,
                max_value=500,
            ),
            Column(
                "helpful_for_integration",
                "bool",
                aliases=("nuttig_voor_inburgering", "nuttig_voor_integratie"),
            ),
            _likert("satisfaction", ("tevredenheid",), "satisfaction with the programme"),
            Column(
                "dutch_level",
                "cefr",
                aliases=("niveau_nederlands", "taalniveau", "nederlands_niveau"),
                description="CEFR level of Dutch when answering (optional; asked at intake, "
                "end or follow-up)",
            ),
        ),
        key=("respondent_id", "respondent_role", "wave"),
        references={"respondent_id": ("participants", "buddies")},
    ),
    Table(
        "finance",
        ("financiering", "financien", "financiën"),
        "one row per booking (income or expense)",
        (
            Column("booked_on", "date", True, ("geboekt_op", "boekingsdatum", "datum")),
            Column(
                "direction",
                "enum",
                True,
                ("richting", "soort"),
                values=DIRECTIONS,
                value_aliases=DIRECTION_ALIASES,
            ),
            Column(
                "source",
                "enum",
                aliases=("bron", "financieringsbron"),
                values=SOURCES,
                value_aliases=SOURCE_ALIASES,
            ),
            Column(
                "category",
                "enum",
                aliases=("categorie", "kostensoort"),
                values=CATEGORIES,
                value_aliases=CATEGORY_ALIASES,
            ),
            Column(
                "amount_eur",
                "decimal",
                True,
                ("bedrag_eur", "bedrag", "montant"),
                min_value=0,
                strict_min=True,
            ),
            Column("description", "text", aliases=("omschrijving", "beschrijving")),
            Column(
                "booking_id",
                "id",
                aliases=("boeking_id", "boekingsnummer", "boekingsnr", "stuknummer"),
            ),
        ),
        key=("booking_id",),
        repeats=True,
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}


def _load_order(tables: tuple[Table, ...]) -> tuple[str, ...]:
    """Return the table names, each after the tables it references; else in contract order."""
    position = {table.name: i for i, table in enumerate(tables)}
    sorter = TopologicalSorter(
        {
            t.name: {target for targets in t.references.values() for target in targets}
            for t in tables
        }
    )
    sorter.prepare()
    order: list[str] = []
    ready: list[str] = []
    while sorter.is_active():
        # one table at a time, the first in contract order, so the order never depends on sets
        ready = sorted([*ready, *sorter.get_ready()], key=position.__getitem__)
        name = ready.pop(0)
        order.append(name)
        sorter.done(name)
    return tuple(order)


# The order of the load (and of the generator's files): a table comes after those it references.
LOAD_ORDER: tuple[str, ...] = _load_order(TABLES)

# Columns that identify a person directly. They are dropped at read time, with a warning,
# in every table (organisations keep their own `name`, which names an organisation).
DIRECT_IDENTIFIERS: frozenset[str] = frozenset(
    {
        "name",
        "naam",
        "first_name",
        "voornaam",
        "last_name",
        "achternaam",
        "familienaam",
        "full_name",
        "nom",
        "prenom",
        "prénom",
        "email",
        "e_mail",
        "mail",
        "phone",
        "telephone",
        "telefoon",
        "telefoonnummer",
        "gsm",
        "mobile",
        "national_register_number",
        "rijksregisternummer",
        "rijksregister",
        "rrn",
        "insz",
        "niss",
        "address",
        "adres",
        "street",
        "straat",
        "iban",
    }
)


def normalise_header(header: object) -> str:
    """Return a header in comparable form: lower case, no accents, separators as underscores."""
    # staff type "beeindigd_op" as often as "beëindigd_op"
    text = fold(str(header).strip().lstrip("\ufeff"))
    for ch in (" ", "-", "."):
        text = text.replace(ch, "_")
    while "__" in text:
        text = text.replace("__", "_")
    return text.strip("_")


def header_map(table: Table) -> dict[str, str]:
    """Return normalised header (canonical name or alias) -> canonical column name."""
    mapping: dict[str, str] = {}
    for col in table.columns:
        for alias in (col.name, *col.aliases):
            mapping.setdefault(normalise_header(alias), col.name)
    return mapping


def table_for_name(name: str) -> Table | None:
    """Return the table whose canonical or Dutch name matches a file stem or sheet name."""
    key = normalise_header(name)
    for table in TABLES:
        if key == table.name or key in {normalise_header(a) for a in table.aliases}:
            return table
    # file names such as "2023-06_contactmomenten_export" or "deelnemers_v2"
    for table in TABLES:
        for candidate in (table.name, *table.aliases):
            if normalise_header(candidate) in key.split("_"):
                return table
    return None


def render_markdown() -> str:
    """Return the contract's tables as Markdown, for data/README.md (kept in sync by a test)."""
    lines: list[str] = []
    for table in TABLES:
        names = ", ".join(f"`{a}`" for a in table.aliases)
        key = ", ".join(table.key) if table.key else "the whole row's content"
        if table.repeats:
            key += (
                " when given, else the row's content and which of the file's identical rows it"
                " is (identical rows are separate records here, not a row exported twice)"
            )
        lines += [
            f"### `{table.name}` ({names})",
            "",
            f"Grain: {table.grain}. Key for updates: {key}.",
            "",
            "| column | required | type | also accepted as header | notes |",
            "|---|---|---|---|---|",
        ]
        for col in table.columns:
            aliases = ", ".join(f"`{a}`" for a in col.aliases)
            notes = [col.description] if col.description else []
            if col.values:
                notes.append("values: " + ", ".join(f"`{v}`" for v in col.values))
            if col.min_value is not None or col.max_value is not None:
                low = "(" if col.strict_min else "["
                notes.append(
                    f"range {low}{col.min_value:g}, {col.max_value:g}]"
                    if col.max_value is not None
                    else f"range {low}{col.min_value:g}, ...)"
                )
            if col.name in table.references:
                targets = " or ".join(f"`{t}`" for t in table.references[col.name])
                notes.append(f"must exist in {targets}")
            if col.pseudonymise:
                notes.append("pseudonymised at load")
            required = "yes" if col.required else ""
            lines.append(
                f"| `{col.name}` | {required} | {COLUMN_TYPES[col.type].words} "
                f"| {aliases} | {'; '.join(notes)} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
