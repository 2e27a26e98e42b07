"""Reading staff exports: encodings, separators, Excel, table recognition, identifiers, rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipelines import contract, parsers
from pipelines.readers import RawTable, ReadError, discover, read_file
from pipelines.values import parse_frame

PARTICIPANTS = contract.TABLES_BY_NAME["participants"]

# The same three newcomers, written the ways staff export them; this is what all must become.
EXPECTED_PARTICIPANTS = pd.DataFrame(
    {
        "participant_id": pd.array(["101", "102", "103"], dtype="string"),
        "registered_on": pd.Series(
            [dt.datetime(2022, 1, 5), dt.datetime(2022, 2, 10), dt.datetime(2022, 3, 1)],
            dtype="datetime64[us]",
        ),
        "intake_on": pd.Series(
            [dt.datetime(2022, 1, 12), None, dt.datetime(2022, 3, 15)], dtype="datetime64[us]"
        ),
        "birth_year": pd.array([1990, 1985, None], dtype="Int64"),
        "gender": pd.array(["F", "M", "X"], dtype="string"),
        "country_of_birth": pd.array(["MA", "SY", None], dtype="string"),
        "municipality": pd.array(["21009", "21015", parsers.OUTSIDE_BRUSSELS], dtype="string"),
        "dutch_level": pd.array(["A1", "A0", "B1"], dtype="string"),
        "in_integration_trajectory": pd.array([True, False, None], dtype="boolean"),
        "referred_by": pd.array(["Maison de quartier Sénior", "OCMW", None], dtype="string"),
    }
)

CSV_UTF8_COMMAS = """\
participant_id,registered_on,intake_on,birth_year,gender,country_of_birth,municipality,dutch_level,in_integration_trajectory,referred_by
101,2022-01-05,2022-01-12,1990,F,MA,Elsene,A1,true,"Maison de quartier Sénior"
102,2022-02-10,,1985,M,SY,Schaarbeek,A0,false,OCMW
103,2022-03-01,2022-03-15,,X,,Leuven,B1,,
"""

CSV_DUTCH_SEMICOLONS = """\
Deelnemer ID;Naam;Ingeschreven op;Intake op;Geboortejaar;Geslacht;Geboorteland;Gemeente;\
Niveau Nederlands;Inburgeringstraject;Doorverwezen door;E-mail
101;Amina;05/01/2022;12/01/2022;1990;V;MA;Elsene / Ixelles;a1;ja;Maison de quartier Sénior;a@x.be
102;Omar;10/02/2022;;1985;M;SY;1030;geen;nee;OCMW;
103;Sam;01/03/2022;15/03/2022;;X;; 3000 ;B 1;;;
"""

CSV_FRENCH_WINDOWS = """\
participant_id;inschrijvingsdatum;intakedatum;geboortedatum;sexe;pays_de_naissance;commune;\
taalniveau;inburgering;verwijzer\r
101;05-01-2022;12-01-2022;04-05-1990;femme;MA;Ixelles;A1.1;oui;Maison de quartier Sénior\r
102;10-02-2022;;17-11-1985;homme;SY;Schaerbeek;0;non;OCMW\r
103;01-03-2022;15-03-2022;;autre;;Leuven;b1;;\r
"""


def write_participants_workbook(path: Path) -> None:
    """Write the three newcomers as Excel keeps them: date cells, a serial, numbers, booleans."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "deelnemers"
    sheet.append(
        [
            "deelnemer_id",
            "ingeschreven_op",
            "intake_op",
            "geboortedatum",
            "geslacht",
            "geboorteland",
            "gemeente",
            "niveau_nederlands",
            "inburgeringstraject",
            "doorverwezen_door",
        ]
    )
    sheet.append(
        [101, dt.datetime(2022, 1, 5), dt.date(2022, 1, 12), 1990, "V", "MA", 1050, "A1", True]
        + ["Maison de quartier Sénior"]
    )
    sheet.append(
        [102, dt.datetime(2022, 2, 10), None, dt.datetime(1985, 11, 17), "M", "SY", "Schaarbeek"]
        + ["A0", False, "OCMW"]
    )
    # 44621 is the serial of 2022-03-01 (44562 = 2022-01-01, plus 31 + 28 days)
    sheet.append([103.0, 44621, dt.datetime(2022, 3, 15), None, "X", None, "Leuven", "B1"])
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=4):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = "DD/MM/YYYY"
    workbook.save(path)


def typed(raw: RawTable) -> pd.DataFrame:
    frame, errors, _ = parse_frame(raw.frame, raw.table)
    assert errors == {}, errors  # no row has an error
    return frame[raw.table.column_names]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# ---------------------------------------------------------------------------------------------
# one table, four exports


def test_four_exports_of_the_same_table_give_identical_typed_frames(tmp_path: Path) -> None:
    utf8 = write(tmp_path / "deelnemers.csv", CSV_UTF8_COMMAS)
    bom = write(tmp_path / "2023-06_deelnemers.csv", CSV_DUTCH_SEMICOLONS, "utf-8-sig")
    windows = write(tmp_path / "nieuwkomers_export.csv", CSV_FRENCH_WINDOWS, "cp1252")
    book = tmp_path / "export.xlsx"
    write_participants_workbook(book)

    (from_utf8,) = read_file(utf8)
    (from_bom,) = read_file(bom)
    (from_windows,) = read_file(windows)
    (from_excel,) = read_file(book)

    for raw in (from_utf8, from_bom, from_windows, from_excel):
        assert raw.table is PARTICIPANTS
        assert raw.rows_read == 3
        assert raw.frame["_source_row"].tolist() == [2, 3, 4]
        pd.testing.assert_frame_equal(typed(raw), EXPECTED_PARTICIPANTS)
    assert from_excel.source == "export.xlsx[deelnemers]"
    assert from_bom.source == "2023-06_deelnemers.csv"
    assert from_bom.dropped_identifiers == ["Naam", "E-mail"]


def test_csv_values_stay_raw_text_and_empty_cells_become_none(tmp_path: Path) -> None:
    (raw,) = read_file(write(tmp_path / "deelnemers.csv", CSV_DUTCH_SEMICOLONS, "utf-8-sig"))
    assert raw.frame.columns.tolist() == [*PARTICIPANTS.column_names, "_source_row"]
    assert raw.frame.loc[0, "registered_on"] == "05/01/2022"
    assert raw.frame.loc[1, "intake_on"] is None
    assert raw.frame.loc[2, "municipality"] == " 3000 "  # stripping is the parser's job
    assert raw.frame.loc[2, "in_integration_trajectory"] is None


def test_excel_values_stay_native_objects(tmp_path: Path) -> None:
    book = tmp_path / "export.xlsx"
    write_participants_workbook(book)
    (raw,) = read_file(book)
    assert raw.frame.loc[0, "participant_id"] == 101
    assert raw.frame.loc[0, "registered_on"] == dt.datetime(2022, 1, 5)
    assert raw.frame.loc[2, "registered_on"] == 44621
    assert raw.frame.loc[0, "in_integration_trajectory"] is True
    assert raw.frame.loc[2, "referred_by"] is None


def test_windows_1252_contacts_with_comma_decimals(tmp_path: Path) -> None:
    text = (
        "koppeling_id;datum;uren;activiteit\r\n"
        "M1;05-01-2022;1,5;Activité de groupe\r\n"
        "M2;06-01-2022;0,75;bibliothèque\r\n"
    )
    (raw,) = read_file(write(tmp_path / "contactmomenten.csv", text, "cp1252"))
    frame = typed(raw)
    assert raw.table.name == "contacts"
    assert frame["hours"].tolist() == [1.5, 0.75]
    assert frame["activity"].tolist() == ["group_activity", "library"]
    assert frame["contact_on"].tolist() == [pd.Timestamp("2022-01-05"), pd.Timestamp("2022-01-06")]


def test_tab_separated_utf16_text_from_excel(tmp_path: Path) -> None:
    text = "match_id\tcontact_on\thours\nM1\t2022-01-05\t2\n"
    (raw,) = read_file(write(tmp_path / "contacten.txt", text, "utf-16"))
    assert raw.frame[["match_id", "contact_on", "hours"]].values.tolist() == [
        ["M1", "2022-01-05", "2"]
    ]


def test_na_stays_text(tmp_path: Path) -> None:
    (raw,) = read_file(write(tmp_path / "deelnemers.csv", "deelnemer_id,ingeschreven_op\nNA,NA\n"))
    assert raw.frame[["participant_id", "registered_on"]].values.tolist() == [["NA", "NA"]]


# ---------------------------------------------------------------------------------------------
# which table is it


def test_table_recognised_by_headers_when_the_name_says_nothing(tmp_path: Path) -> None:
    text = "Koppeling ID;Deelnemer ID;Buddy ID;Startdatum\nK1;P1;B1;2022-01-05\n"
    (raw,) = read_file(write(tmp_path / "export_final.csv", text))
    assert raw.table.name == "matches"
    assert raw.frame[["match_id", "participant_id", "buddy_id", "matched_on"]].values.tolist() == [
        ["K1", "P1", "B1", "2022-01-05"]
    ]


def test_sheets_recognised_by_name_or_headers_and_empty_sheets_skipped(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "koppelingen"
    workbook.active.append(["koppeling_id", "deelnemer", "buddy", "gekoppeld_op"])
    workbook.active.append(["K1", "P1", "B1", dt.datetime(2022, 1, 5)])
    workbook.create_sheet("leeg")
    blad = workbook.create_sheet("Blad3")
    blad.append(["buddy_id", "ingeschreven_op"])
    blad.append(["B1", dt.datetime(2021, 12, 1)])
    workbook.save(tmp_path / "book.xlsx")

    tables = read_file(tmp_path / "book.xlsx")

    assert [(t.source, t.table.name, t.rows_read) for t in tables] == [
        ("book.xlsx[koppelingen]", "matches", 1),
        ("book.xlsx[Blad3]", "buddies", 1),
    ]


def test_unknown_table_is_one_clear_sentence(tmp_path: Path) -> None:
    path = write(tmp_path / "export.csv", "kleur;smaak\nrood;zoet\n")
    with pytest.raises(ReadError) as info:
        read_file(path)
    assert str(info.value) == (
        "export.csv: cannot tell which table this is (expected a file or sheet named after a "
        "table such as participants/deelnemers, or headers that include its required columns)."
    )


def test_an_unrecognised_sheet_alone_is_named(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "toelichting"
    workbook.active.append(["Export van januari"])
    workbook.save(tmp_path / "maand.xlsx")
    with pytest.raises(ReadError, match=r"^maand\.xlsx\[toelichting\]: cannot tell which table"):
        read_file(tmp_path / "maand.xlsx")


def test_workbook_without_data_is_an_error(tmp_path: Path) -> None:
    openpyxl.Workbook().save(tmp_path / "leeg.xlsx")
    with pytest.raises(ReadError, match=r"^leeg\.xlsx: no sheet holds any data"):
        read_file(tmp_path / "leeg.xlsx")


def test_missing_required_column_names_its_accepted_headers(tmp_path: Path) -> None:
    path = write(tmp_path / "contacts.csv", "match_id;datum\nM1;2022-01-05\n")
    with pytest.raises(ReadError) as info:
        read_file(path)
    assert str(info.value) == (
        "contacts.csv: required column 'hours' is missing "
        "(accepted headers: hours, uren, duur, aantal_uren, heures)."
    )


def test_several_missing_required_columns(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        read_file(write(tmp_path / "contacts.csv", "match_id\nM1\n"))
    assert str(info.value) == (
        "contacts.csv: required columns 'contact_on' and 'hours' are missing (accepted headers "
        "for contact_on: contact_on, datum, contactdatum, date; "
        "for hours: hours, uren, duur, aantal_uren, heures)."
    )


def test_two_headers_for_the_same_column(tmp_path: Path) -> None:
    path = write(tmp_path / "contacts.csv", "match_id;uren;datum;duur\nM1;1;2022-01-05;1\n")
    with pytest.raises(ReadError) as info:
        read_file(path)
    assert str(info.value) == (
        "contacts.csv: columns 'uren' and 'duur' both give 'hours' (expected each column once)."
    )


# ---------------------------------------------------------------------------------------------
# files that cannot be read


def test_garbage_xlsx_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "deelnemers.xlsx"
    path.write_bytes(b"\x00\x01\x02not a zip file" * 50)
    with pytest.raises(ReadError) as info:
        read_file(path)
    assert str(info.value) == (
        "deelnemers.xlsx: cannot be opened as an Excel workbook (expected an .xlsx or .xlsm "
        "file saved by Excel or LibreOffice)."
    )


def test_binary_csv_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "deelnemers.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(ReadError, match=r"^deelnemers\.csv: is not a readable text file"):
        read_file(path)


def test_unsupported_extension(tmp_path: Path) -> None:
    path = write(tmp_path / "deelnemers.json", "[]")
    with pytest.raises(ReadError) as info:
        read_file(path)
    assert str(info.value) == (
        "deelnemers.json: unsupported file type '.json' "
        "(expected .csv, .txt, .xlsx or .xlsm; save older .xls files as .xlsx)."
    )


def test_empty_csv(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"^deelnemers\.csv: is empty"):
        read_file(write(tmp_path / "deelnemers.csv", "\n \n"))


def test_row_with_more_values_than_headers(tmp_path: Path) -> None:
    text = "\ndeelnemer_id;ingeschreven_op\nP1;2022-01-05;x\n"  # the bad row is line 3
    with pytest.raises(ReadError) as info:
        read_file(write(tmp_path / "deelnemers.csv", text))
    assert str(info.value) == (
        "deelnemers.csv: is not a readable CSV file (Expected 2 fields in line 3, saw 3; "
        "expected the same number of values on every line, separated by ';')."
    )


# ---------------------------------------------------------------------------------------------
# personal data and unknown columns


def test_identifiers_are_dropped_and_reported(tmp_path: Path) -> None:
    text = (
        "deelnemer_id;naam;Voornaam;email;telefoon;rijksregisternummer;Naam ouder;"
        "ingeschreven_op;lievelingskleur\n"
        "P1;Peeters;An;an@x.be;0470;85.07.30-033.28;Jan;2022-01-05;blauw\n"
    )
    (raw,) = read_file(write(tmp_path / "deelnemers.csv", text))
    assert raw.dropped_identifiers == [
        "naam",
        "Voornaam",
        "email",
        "telefoon",
        "rijksregisternummer",
        "Naam ouder",
    ]
    assert raw.unknown_columns == ["lievelingskleur"]
    assert raw.frame.columns.tolist() == ["participant_id", "registered_on", "_source_row"]
    assert raw.frame.values.tolist() == [["P1", "2022-01-05", 2]]


def test_organisations_keep_their_name(tmp_path: Path) -> None:
    text = "organisatie_id;naam;email;soort\nO1;Bibliotheek Elsene;info@bib.be;bibliotheek\n"
    (raw,) = read_file(write(tmp_path / "organisaties.csv", text))
    assert raw.table.name == "organisations"
    assert raw.dropped_identifiers == ["email"]
    assert raw.frame[["organisation_id", "name", "kind"]].values.tolist() == [
        ["O1", "Bibliotheek Elsene", "bibliotheek"]
    ]


def test_column_without_header_but_with_values_is_reported(tmp_path: Path) -> None:
    text = "deelnemer_id;ingeschreven_op;;\nP1;2022-01-05;x;\n"
    (raw,) = read_file(write(tmp_path / "deelnemers.csv", text))
    assert raw.unknown_columns == ["(column 3 without a header)"]


# ---------------------------------------------------------------------------------------------
# row numbers a person can find


def test_source_rows_skip_blank_lines_but_keep_line_numbers(tmp_path: Path) -> None:
    text = (
        "\n"  # line 1: blank, before the header
        "deelnemer_id;ingeschreven_op\n"  # line 2: header
        "P1;2022-01-05\n"  # line 3
        "\n"  # line 4: blank
        ";\n"  # line 5: separators only
        "   \n"  # line 6: spaces only
        "P2;2022-01-06\n"  # line 7
    )
    (raw,) = read_file(write(tmp_path / "deelnemers.csv", text))
    assert raw.rows_read == 2
    assert raw.frame[["participant_id", "_source_row"]].values.tolist() == [["P1", 3], ["P2", 7]]


def test_source_rows_after_a_value_spanning_two_lines(tmp_path: Path) -> None:
    text = (
        "deelnemer_id;ingeschreven_op;doorverwezen_door\r\n"  # line 1
        'P1;2022-01-05;"OCMW\r\nElsene"\r\n'  # lines 2-3
        "\r\n"  # line 4
        "P2;2022-01-06;CAW\r\n"  # line 5
    )
    (raw,) = read_file(write(tmp_path / "deelnemers.csv", text))
    assert raw.frame[["participant_id", "referred_by", "_source_row"]].values.tolist() == [
        ["P1", "OCMW\r\nElsene", 2],
        ["P2", "CAW", 5],
    ]


def test_excel_source_rows_are_sheet_row_numbers(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "deelnemers"
    # row 1 left empty; a header with a line break typed as Alt+Enter
    sheet["A2"], sheet["B2"] = "Deelnemer\nID", "ingeschreven_op"
    sheet["A3"], sheet["B3"] = "P1", dt.datetime(2022, 1, 5)
    sheet["A4"] = "   "  # whitespace only: an empty row
    sheet["A6"], sheet["B6"] = "P2", dt.datetime(2022, 1, 6)
    workbook.save(tmp_path / "book.xlsx")
    (raw,) = read_file(tmp_path / "book.xlsx")
    assert raw.frame[["participant_id", "_source_row"]].values.tolist() == [["P1", 3], ["P2", 6]]


# ---------------------------------------------------------------------------------------------
# discovering files


def test_discover_expands_folders_sorted_and_skips_hidden_lock_and_underscore_files(
    tmp_path: Path,
) -> None:
    for name in [
        "b.csv",
        "A.TXT",
        "sub/c.xlsx",
        "sub/deeper/d.xlsm",
        "sub/.hidden.csv",
        ".git/e.csv",
        "~$c.xlsx",
        "_notes.csv",
        "readme.md",
        "old.xls",
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    single = tmp_path / "sub" / "c.xlsx"

    found = discover([tmp_path, single])

    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "A.TXT",
        "b.csv",
        "sub/c.xlsx",
        "sub/deeper/d.xlsm",
    ]


def test_discover_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nergens"
    with pytest.raises(ReadError) as info:
        discover([missing])
    assert (
        str(info.value) == f"{missing}: does not exist (expected a data file or a folder of them)."
    )


def test_a_file_or_sheet_wider_than_any_table_is_refused_before_it_is_read(tmp_path: Path) -> None:
    # the reproductions of issue 12: 50 MB of ';' and a tiny workbook with a cell at
    # column 16000 and another at row 200000
    semicolons = tmp_path / "contactmomenten.csv"
    semicolons.write_bytes(b";" * 50_000_000)
    with pytest.raises(ReadError) as caught:
        read_file(semicolons)
    assert str(caught.value) == (
        "contactmomenten.csv: row 1 reaches column 50,000,001 (expected at most 500 columns; "
        "delete what lies beyond the table, or check the separator)."
    )
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "contacts"
    for column, header in enumerate(["contact_id", "match_id", "contact_on", "hours"], start=1):
        sheet.cell(row=1, column=column, value=header)
    sheet.cell(row=1, column=16000, value="x")
    sheet.cell(row=200000, column=1, value="C1")
    path = tmp_path / "wide.xlsx"
    book.save(path)
    assert path.stat().st_size < 20_000
    with pytest.raises(ReadError, match=r"wide.xlsx\[contacts\]: row 1 reaches column 16,000 "):
        read_file(path)


def test_a_tall_sheet_of_empty_rows_is_read_row_by_row(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "contacts"
    rows = [["contact_id", "match_id", "contact_on", "hours"], ["C1", "K1", "2021-07-05", "2"]]
    for row in rows:
        sheet.append(row)
    sheet.cell(row=200000, column=1, value="C2")
    path = tmp_path / "tall.xlsx"
    book.save(path)
    (raw,) = read_file(path)
    assert raw.frame["contact_id"].tolist() == ["C1", "C2"]
    assert raw.frame["_source_row"].tolist() == [2, 200000]


def test_a_workbook_with_a_password_is_said_to_have_one(tmp_path: Path) -> None:
    # Excel stores a password-protected workbook in an OLE container (its first 8 bytes)
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096)
    with pytest.raises(ReadError) as caught:
        read_file(path)
    assert str(caught.value) == (
        "export.xlsx: is protected with a password, or is an old .xls file (expected an .xlsx "
        "without a password: remove it under File > Info > Protect Workbook, or save the file "
        "again as .xlsx)."
    )


def test_a_notes_sheet_beside_the_tables_is_skipped_with_a_note(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Toelichting"
    notes.append(["Deze export bevat de contactmomenten van maart."])
    contacts = book.create_sheet("contacts")
    contacts.append(["contact_id", "match_id", "contact_on", "hours"])
    contacts.append(["C1", "K1", "2021-07-05", "2"])
    path = tmp_path / "export_maart.xlsx"
    book.save(path)
    (raw,) = read_file(path)
    assert raw.table.name == "contacts" and raw.frame["contact_id"].tolist() == ["C1"]
    assert raw.notes == [
        "export_maart.xlsx: skipped sheet(s) 'Toelichting': not a table of the data contract."
    ]
    # a sheet named after a table keeps its error: it is not skipped
    broken = book.create_sheet("participants")
    broken.append(["gender"])
    broken.append(["F"])
    book.save(path)
    with pytest.raises(ReadError, match=r"export_maart.xlsx\[participants\]"):
        read_file(path)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda data: data[:-1],  # the last byte cut off
        lambda data: data + "\ud800".encode("utf-16-le", "surrogatepass"),  # a lone surrogate
    ],
    ids=["cut", "lone_surrogate"],
)
def test_a_broken_utf16_file_is_one_sentence(tmp_path: Path, spoil) -> None:
    # the reproductions of issue 12: each was a traceback
    data = "contact_id,match_id,contact_on,hours\r\nC1,K1,2021-07-05,2\r\n".encode("utf-16")
    path = tmp_path / "contacten.csv"
    path.write_bytes(spoil(data))
    with pytest.raises(ReadError) as caught:
        read_file(path)
    assert str(caught.value) == (
        "contacten.csv: is not valid UTF-16 text (it is cut short or holds a broken character; "
        "expected a CSV saved again as UTF-8 or as Unicode text)."
    )


def test_a_workbook_whose_sheet_is_cut_in_half_is_one_sentence(tmp_path: Path) -> None:
    import zipfile

    book = openpyxl.Workbook()
    book.active.title = "contacts"
    for row in [["contact_id", "match_id", "contact_on", "hours"], ["C1", "K1", "2021-07-05", "2"]]:
        book.active.append(row)
    whole, cut = tmp_path / "whole.xlsx", tmp_path / "cut.xlsx"
    book.save(whole)
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(cut, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data[: len(data) // 2]
            target.writestr(item, data)
    with pytest.raises(ReadError) as caught:
        read_file(cut)
    assert str(caught.value) == (
        "cut.xlsx: the sheet 'contacts' cannot be read: the file is damaged (expected a workbook "
        "saved whole by Excel or LibreOffice)."
    )
