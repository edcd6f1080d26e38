"""Aggregating a person-level register extract into observations, in DuckDB.

:func:`aggregate_register` reads a CSV or Parquet file with one row per person and returns the long
observation frame of :mod:`.table` (``source_row`` 0, ``source_column`` ""), one row per unit × variable,
status ``ok``. Persons never become Python objects: validation and aggregation are SQL over
``read_csv``/``read_parquet``.

Variable keys (``{band}`` is ``0_2``, ``75_plus`` … from ``age_bands``; which groups exist depends on the
columns the spec names):

* always: ``residents_total``, ``residents_age_{band}`` (default bands 0–2, 3–5, 6–9, 10–14, 15–17, 18–24,
  25–44, 45–64, 65–74, 75+, and 15–64 working age, 0–5, 0–9, 0–17, 18–64, 60+, 65+, 80+);
* with ``sex_column``: ``residents_male``, ``residents_female``, ``residents_sex_other`` (divers and
  "ohne Angabe");
* with ``nationality_column``: ``germans_total``, ``foreigners_total`` (code not in ``domestic_codes``;
  an empty nationality counts as neither), ``foreigners_age_{band}`` (``foreigner_age_bands``), and with
  sex also ``foreigners_male``, ``foreigners_female``;
* with ``household_column``: ``households_total``, ``households_one_person``, ``households_size_2``,
  ``households_size_3``, ``households_size_4``, ``households_size_5_plus``,
  ``households_one_person_under_30``, ``households_one_person_30_59``, ``households_one_person_60_plus``,
  ``households_one_person_65_plus``, ``households_with_children`` (≥ 1 person under 18),
  ``households_three_plus_children``, ``households_single_parent``, ``households_seniors_only`` (all
  members 65+), ``persons_in_households``, ``children_in_households`` (persons 0–17 with a household id),
  ``children_in_single_parent_households``; with sex also ``households_one_person_male`` / ``_female``.

What a person file can tell about households: size, age and sex composition — not relationships.
*Single-parent household* is therefore derived as in the household-generation procedures of municipal
statistics (HHGen) at its simplest: exactly one person aged 18+ and at least one under 18. This includes
e.g. a grandparent living with a grandchild and misses single parents living with an adult child or a new
partner; use the statistics office's own household typing where it is available. A household belongs to
the unit of its members (the smallest unit key if its members are registered in different units).

Validation (all in DuckDB, reported with rows): empty unit key, missing or non-integer age (or birth
year/date), age below 0 or above ``max_age``, unknown sex code. Rows are line numbers of a CSV file (the
header is line 1) and 1-based record numbers of a Parquet file.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from pathlib import Path

import duckdb
import pandas as pd

from sozialmonitor.ingest.problems import ProblemCollector
from sozialmonitor.ingest.register_spec import AgeBand, RegisterSpec, band_suffix


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _csv_encoding(path: Path, spec: RegisterSpec, problems: ProblemCollector) -> str:
    """Encoding for DuckDB; checks UTF-8 in 16 MB chunks (streaming, no whole file in memory).

    ``auto``: UTF-8 if the file is valid UTF-8 (a BOM is fine), Latin-1 if it has no UTF-8 multi-byte
    sequence at all (Windows-1252 files; the letters agree with Latin-1), else a damaged UTF-8 file: the
    line of the first invalid byte is reported.
    """
    wanted = spec.duckdb_encoding()
    if wanted not in ("auto", "utf-8"):
        return wanted
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines_before = 0
    seen_multibyte = False
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 24):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                if wanted == "auto" and not seen_multibyte and not _UTF8_MULTIBYTE.search(chunk[: exc.start]):
                    return "latin-1"
                line = lines_before + chunk.count(b"\n", 0, max(exc.start, 0)) + 1
                problems.add(
                    line,
                    None,
                    repr(chunk[exc.start : exc.end])[2:-1],
                    "Text in UTF-8 (sonst encoding: latin-1 in der Registerbeschreibung)",
                    "text in UTF-8 (otherwise encoding: latin-1 in the register spec)",
                )
                return wanted
            seen_multibyte = seen_multibyte or _UTF8_MULTIBYTE.search(chunk) is not None
            lines_before += chunk.count(b"\n")
    return "utf-8"


def _source(path: Path, spec: RegisterSpec, problems: ProblemCollector) -> str:
    if path.suffix.lower() in (".parquet", ".pq"):
        return f"read_parquet({_lit(str(path))})"
    encoding = _csv_encoding(path, spec, problems)
    opts = ["header = true", "all_varchar = true", f"encoding = {_lit(encoding)}"]
    if spec.delimiter != "auto":
        opts.append(f"delim = {_lit(spec.delimiter)}")
    return f"read_csv({_lit(str(path))}, {', '.join(opts)})"


def _in_list(values: list[str]) -> str:
    return "(" + ", ".join(_lit(v) for v in values) + ")"


def _expressions(spec: RegisterSpec, ref_date: dt.date) -> dict[str, str]:
    """SQL expressions over the raw columns: unit, age, sex (1 male, 2 female, 3 other), foreign, hh."""
    unit = rf"regexp_replace(trim(CAST({_q(spec.unit_column)} AS VARCHAR)), '^(\d+)\.0+$', '\1')"
    if spec.age_column:
        age = f"TRY_CAST({_q(spec.age_column)} AS INTEGER)"
    elif spec.birth_year_column:
        age = f"({ref_date.year} - TRY_CAST({_q(spec.birth_year_column)} AS INTEGER))"
    else:
        col = _q(spec.birth_date_column or "")
        born = f"coalesce(TRY_CAST({col} AS DATE), try_strptime(CAST({col} AS VARCHAR), '%d.%m.%Y')::DATE)"
        age = f"date_sub('year', {born}, DATE {_lit(ref_date.isoformat())})"
    expr = {"unit": unit, "age": age}
    if spec.sex_column:
        codes = {"male": 1, "female": 2, "other": 3}
        whens = " ".join(f"WHEN {_lit(c)} THEN {codes[s]}" for c, s in spec.sex_codes.items())
        expr["sex"] = f"(CASE trim(CAST({_q(spec.sex_column)} AS VARCHAR)) {whens} END)"
    if spec.nationality_column:
        nat = f"nullif(trim(CAST({_q(spec.nationality_column)} AS VARCHAR)), '')"
        expr["is_foreign"] = f"({nat} NOT IN {_in_list(spec.domestic_codes)})"
    if spec.household_column:
        expr["hh"] = f"nullif(trim(CAST({_q(spec.household_column)} AS VARCHAR)), '')"
    return expr


def _check_columns(
    con: duckdb.DuckDBPyConnection, source: str, spec: RegisterSpec, problems: ProblemCollector
) -> None:
    present = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    wanted = [
        spec.unit_column,
        spec.age_column,
        spec.birth_year_column,
        spec.birth_date_column,
        spec.sex_column,
        spec.nationality_column,
        spec.household_column,
        spec.residence_column,
    ]
    for name in wanted:
        if name and name not in present:
            problems.add(
                1,
                name,
                None,
                f"eine Spalte {name!r} (laut Registerbeschreibung); vorhanden: {present}",
                f"a column {name!r} (named in the register spec); present: {present}",
            )


def _band(expr: str, band: AgeBand) -> str:
    low, high = band
    return f"{expr} >= {low}" if high is None else f"{expr} BETWEEN {low} AND {high}"


def _invalid_condition(spec: RegisterSpec) -> str:
    parts = ["unit = ''", "unit IS NULL", "age IS NULL", f"age < 0 OR age > {spec.max_age}"]
    if spec.sex_column:
        parts.append("sex IS NULL")
    return " OR ".join(f"({p})" for p in parts)


def _report_invalid(
    con: duckdb.DuckDBPyConnection,
    source: str,
    spec: RegisterSpec,
    expr: dict[str, str],
    is_csv: bool,
    problems: ProblemCollector,
) -> None:
    """Second, single-threaded pass (only when something is wrong) to find the rows in file order."""
    raw_age = spec.age_column or spec.birth_year_column or spec.birth_date_column or ""
    raw_cols = [spec.unit_column, raw_age] + ([spec.sex_column] if spec.sex_column else [])
    con.execute("SET threads = 1")
    offset = 1 if is_csv else 0
    sql = f"""
        SELECT rn + {offset} AS row, unit, age, {"sex" if spec.sex_column else "0 AS sex"},
               {", ".join(f"CAST({_q(c)} AS VARCHAR)" for c in raw_cols)}
        FROM (SELECT row_number() OVER () AS rn, {expr["unit"]} AS unit, {expr["age"]} AS age,
                     {expr.get("sex", "0")} AS sex, * FROM {source})
        WHERE {_invalid_condition(spec)}
        ORDER BY rn LIMIT {problems.cap + 1}
    """
    for row, unit, age, sex, raw_unit, raw_age_value, *raw_sex in con.execute(sql).fetchall():
        if not unit:
            problems.add(row, spec.unit_column, raw_unit or "", "einen Gebietsschlüssel", "a unit key")
        if age is None:
            what = "Alter in Jahren" if spec.age_column else "Geburtsjahr/-datum"
            problems.add(
                row,
                raw_age,
                raw_age_value or "",
                f"eine ganze Zahl ({what})",
                "a whole number (age, birth year/date)",
            )
        elif age < 0 or age > spec.max_age:
            problems.add(
                row,
                raw_age,
                raw_age_value,
                f"ein Alter von 0 bis {spec.max_age} Jahren (errechnet: {age})",
                f"an age of 0 to {spec.max_age} years (computed: {age})",
            )
        if spec.sex_column and sex is None:
            codes = sorted(spec.sex_codes)
            problems.add(
                row,
                spec.sex_column,
                raw_sex[0] or "",
                f"einen Geschlechtscode aus {codes}",
                f"a sex code of {codes}",
            )


def _person_aggregates(spec: RegisterSpec) -> list[str]:
    aggs = ["count(*) AS residents_total"]
    if spec.sex_column:
        aggs += [
            f"count(*) FILTER (WHERE sex = {c}) AS residents_{n}" for c, n in ((1, "male"), (2, "female"))
        ]
        aggs.append("count(*) FILTER (WHERE sex = 3) AS residents_sex_other")
    aggs += [
        f"count(*) FILTER (WHERE {_band('age', b)}) AS residents_age_{band_suffix(b)}" for b in spec.age_bands
    ]
    if spec.nationality_column:
        aggs += [
            "count(*) FILTER (WHERE NOT is_foreign) AS germans_total",
            "count(*) FILTER (WHERE is_foreign) AS foreigners_total",
        ]
        if spec.sex_column:
            aggs += [
                "count(*) FILTER (WHERE is_foreign AND sex = 1) AS foreigners_male",
                "count(*) FILTER (WHERE is_foreign AND sex = 2) AS foreigners_female",
            ]
        aggs += [
            f"count(*) FILTER (WHERE is_foreign AND {_band('age', b)}) AS foreigners_age_{band_suffix(b)}"
            for b in spec.foreigner_age_bands
        ]
    return aggs


def _household_sql(spec: RegisterSpec) -> str:
    males = "count(*) FILTER (WHERE sex = 1)" if spec.sex_column else "0"
    females = "count(*) FILTER (WHERE sex = 2)" if spec.sex_column else "0"
    aggs = [
        "count(*) AS households_total",
        "count(*) FILTER (WHERE size = 1) AS households_one_person",
        *[f"count(*) FILTER (WHERE size = {n}) AS households_size_{n}" for n in (2, 3, 4)],
        "count(*) FILTER (WHERE size >= 5) AS households_size_5_plus",
        "count(*) FILTER (WHERE size = 1 AND min_age < 30) AS households_one_person_under_30",
        "count(*) FILTER (WHERE size = 1 AND min_age BETWEEN 30 AND 59) AS households_one_person_30_59",
        "count(*) FILTER (WHERE size = 1 AND min_age >= 60) AS households_one_person_60_plus",
        "count(*) FILTER (WHERE size = 1 AND min_age >= 65) AS households_one_person_65_plus",
        "count(*) FILTER (WHERE minors > 0) AS households_with_children",
        "count(*) FILTER (WHERE minors >= 3) AS households_three_plus_children",
        "count(*) FILTER (WHERE minors > 0 AND adults = 1) AS households_single_parent",
        "count(*) FILTER (WHERE min_age >= 65) AS households_seniors_only",
        "sum(size) AS persons_in_households",
        "sum(minors) AS children_in_households",
        "coalesce(sum(minors) FILTER (WHERE adults = 1), 0) AS children_in_single_parent_households",
    ]
    if spec.sex_column:
        aggs += [
            "count(*) FILTER (WHERE size = 1 AND males = 1) AS households_one_person_male",
            "count(*) FILTER (WHERE size = 1 AND females = 1) AS households_one_person_female",
        ]
    return f"""
        SELECT unit, {", ".join(aggs)}
        FROM (SELECT hh, min(unit) AS unit, count(*) AS size,
                     count(*) FILTER (WHERE age < 18) AS minors, count(*) FILTER (WHERE age >= 18) AS adults,
                     min(age) AS min_age, {males} AS males, {females} AS females
              FROM persons WHERE hh IS NOT NULL GROUP BY hh)
        GROUP BY unit
    """


def aggregate_register(
    path: Path, spec: RegisterSpec, ref_date: dt.date, *, display_name: str | None = None
) -> pd.DataFrame:
    """Validate and aggregate a register extract (CSV or Parquet) into long observations (see module doc)."""
    path = Path(path)
    problems = ProblemCollector(display_name or path.name)
    if not path.is_file():
        problems.add(None, None, str(path), "eine vorhandene Datei", "an existing file")
        problems.raise_if_any()
    source = _source(path, spec, problems)
    problems.raise_if_any()
    is_csv = source.startswith("read_csv")
    con = duckdb.connect()
    try:
        try:
            _check_columns(con, source, spec, problems)
            problems.raise_if_any()
            expr = _expressions(spec, ref_date)
            where = []
            if spec.residence_column:
                col = _q(spec.residence_column)
                where.append(f"trim(CAST({col} AS VARCHAR)) IN {_in_list(spec.main_residence_values)}")
            select = ", ".join(f"{e} AS {name}" for name, e in expr.items())
            con.execute(
                f"CREATE TEMP TABLE persons AS SELECT {select} FROM {source}"
                + (f" WHERE {' AND '.join(where)}" if where else "")
            )
            (bad,) = con.execute(
                f"SELECT count(*) FROM persons WHERE {_invalid_condition(spec)}"
            ).fetchone() or (0,)
            n_persons = con.execute("SELECT count(*) FROM persons").fetchone()
            if bad:
                _report_invalid(con, source, spec, expr, is_csv, problems)
            elif not n_persons or not n_persons[0]:
                problems.add(None, None, None, "mindestens eine Person", "at least one person")
            problems.raise_if_any()
            if spec.skip_units:
                con.execute(f"DELETE FROM persons WHERE unit IN {_in_list(spec.skip_units)}")
            person_sql = f"SELECT unit, {', '.join(_person_aggregates(spec))} FROM persons GROUP BY unit"
            if spec.household_column:
                sql = f"""SELECT * FROM ({person_sql}) p LEFT JOIN ({_household_sql(spec)}) h USING (unit)"""
            else:
                sql = person_sql
            wide = f"SELECT unit, COLUMNS(* EXCLUDE (unit))::DOUBLE FROM ({sql})"
            long = con.execute(
                f"""SELECT unit AS unit_key, variable, coalesce(value, 0) AS value
                    FROM (UNPIVOT ({wide}) ON COLUMNS(* EXCLUDE (unit)) INTO NAME variable VALUE value)
                    ORDER BY unit, variable"""
            ).df()
        except (duckdb.IOException, duckdb.InvalidInputException, duckdb.ConversionException) as exc:
            text = str(exc)
            m = re.search(r"Line: (\d+)", text)
            problems.add(
                int(m.group(1)) if m else None,
                None,
                text.splitlines()[0][:300],
                "eine lesbare CSV- oder Parquet-Datei",
                "a readable CSV or Parquet file",
            )
            problems.raise_if_any()
            raise  # unreachable: raise_if_any raised
    finally:
        con.close()
    long["ref_date"] = ref_date
    long["status"] = "ok"
    long["source_row"] = 0
    long["source_column"] = ""
    long["unit_key"] = long["unit_key"].astype(object)
    long["variable"] = long["variable"].astype(object)
    out = long[["unit_key", "ref_date", "variable", "value", "status", "source_row", "source_column"]]
    out.attrs["source"] = spec.source
    return out
