"""Derived variables: arithmetic over other variables, per unit and reference date.

A ``derived`` entry of ``city.yaml`` gives either ``sum: [a, b, …]`` or ``expression: "a - b - c"`` with
``+ - * /``, brackets, numbers and variable keys. What an expression may do depends on the kinds of its
variables (:mod:`sozialmonitor.indicators.kinds`), because a derived value is published like any other:

* over **counts** (protected by disclosure control) only sums and differences with the coefficients +1/−1
  that form one additive relation ``total = parts`` (``a + b``; ``a - b - c`` = ``a = d + b + c``), so that
  disclosure control knows the relation and a withheld count cannot be recovered by differencing. The result
  is a count. Shares and densities of counts are indicators (numerator/denominator in the catalogue), which
  the publication protects; as a derived variable they could reveal a withheld count, so they are refused;
* over **other kinds** (amounts, rates, indices) any expression; the result's kind is the ``kind`` given, or
  the inputs' kind for a plain sum or difference of additive variables of one kind, else ``index``.

:func:`derive_frame` computes the values: a suppressed input makes the result suppressed, a missing input
(or a division by zero) missing, an estimated input estimated.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sozialmonitor.errors import ConfigError
from sozialmonitor.indicators.kinds import ADDITIVE_KINDS, COUNT, INDEX, kind_of

_ALLOWED = (
    ast.BinOp,
    ast.UnaryOp,
    ast.Constant,
    ast.Load,
    ast.USub,
    ast.UAdd,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
)
_SYMBOLS: dict[type[ast.AST], str] = {
    ast.Pow: "**",
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.BitXor: "^",
}


@dataclass(frozen=True)
class Expression:
    text: str
    tree: ast.expr
    variables: tuple[str, ...]

    def linear(self) -> dict[str, float] | None:
        """The coefficient of every variable if the expression is a linear combination without a constant
        term (``a + b - 2*c``), else ``None``."""
        terms = _linear(self.tree)
        if terms is None or terms.get("", 0.0) != 0.0:
            return None
        return {k: v for k, v in terms.items() if k and v != 0.0}

    def evaluate(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(_evaluate(self.tree, columns), dtype=float)


def parse_expression(text: object, where: str) -> Expression:
    """An arithmetic expression over variable keys (``+ - * /``, brackets, numbers)."""
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{where}: erwartet eine Formel als Text", f"{where}: expected a formula as text")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ConfigError(
            f"{where}: Formel {text!r} ist nicht lesbar (Zeichen {exc.offset}); "
            "erlaubt sind Variablenschlüssel, Zahlen, + - * / und Klammern",
            f"{where}: formula {text!r} cannot be read (character {exc.offset}); allowed are variable keys, "
            "numbers, + - * / and brackets",
        ) from None
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif not isinstance(node, _ALLOWED) or (
            isinstance(node, ast.Constant) and not _is_number(node.value)
        ):
            what = _describe(node)
            raise ConfigError(
                f"{where}: Formel {text!r}: {what} ist nicht erlaubt; "
                "erlaubt sind Variablenschlüssel, Zahlen, + - * / und Klammern",
                f"{where}: formula {text!r}: {what} is not allowed; "
                "allowed are variable keys, numbers, + - * / and brackets",
            )
    if not names:
        raise ConfigError(
            f"{where}: Formel {text!r} enthält keine Variable", f"{where}: formula {text!r} names no variable"
        )
    return Expression(text.strip(), tree, tuple(dict.fromkeys(names)))


def derived_expression(entry: Mapping[str, Any], where: str) -> Expression:
    """The expression of a ``derived`` entry: ``sum: [...]`` or ``expression: "..."`` (exactly one)."""
    if ("sum" in entry) == ("expression" in entry):
        raise ConfigError(
            f"{where}: genau eines von 'sum' oder 'expression' angeben",
            f"{where}: give exactly one of 'sum' or 'expression'",
        )
    if "expression" in entry:
        return parse_expression(entry["expression"], f"{where}: expression")
    parts = entry["sum"]
    if not isinstance(parts, list) or not parts or not all(isinstance(p, str) for p in parts):
        raise ConfigError(
            f"{where}: sum: erwartet eine Liste von Variablenschlüsseln",
            f"{where}: sum: expected a list of variable keys",
        )
    if not all(p.isidentifier() for p in parts):
        bad = next(p for p in parts if not p.isidentifier())
        raise ConfigError(
            f"{where}: sum: {bad!r} ist kein Variablenschlüssel (Buchstaben, Ziffern, _)",
            f"{where}: sum: {bad!r} is not a variable key (letters, digits, _)",
        )
    return parse_expression(" + ".join(parts), f"{where}: sum")


@dataclass(frozen=True)
class DerivedPlan:
    """What a derived variable is: its kind and, over counts, the additive relation it forms."""

    kind: str
    relation: tuple[str, tuple[str, ...]] | None


def plan_derived(
    key: str, expr: Expression, kinds: Mapping[str, str], declared: str | None, where: str
) -> DerivedPlan:
    """Decide the kind of a derived variable and its relation; refuse what disclosure control cannot guard."""
    unknown = [v for v in expr.variables if v not in kinds]
    if unknown:
        raise ConfigError(
            f"{where}: unbekannte Variablen {', '.join(unknown)} (nicht in der Variablendatei und nicht "
            "weiter oben unter derived)",
            f"{where}: unknown variables {', '.join(unknown)} (not in the variables file and not earlier "
            "under derived)",
        )
    found = {kind_of(kinds, v) for v in expr.variables}
    linear = expr.linear()
    if COUNT not in found:
        if declared:
            return DerivedPlan(declared, None)
        same = found.pop() if len(found) == 1 else None
        additive = linear is not None and set(linear.values()) <= {1.0, -1.0}
        return DerivedPlan(same if same in ADDITIVE_KINDS and additive else INDEX, None)
    refuse_de = refuse_en = ""
    if found != {COUNT}:
        refuse_de = "die Formel mischt Fallzahlen (kind: count) mit anderen Arten"
        refuse_en = "the formula mixes counts (kind: count) with other kinds"
    elif declared not in (None, COUNT):
        refuse_de = f"die Formel ergibt aus Fallzahlen wieder eine Fallzahl, nicht kind: {declared}"
        refuse_en = f"the formula gives a count from counts, not kind: {declared}"
    elif linear is None or not set(linear.values()) <= {1.0, -1.0}:
        refuse_de = (
            "aus Fallzahlen sind nur Summen und Differenzen möglich; Anteile und Dichten sind Indikatoren "
            "(Zähler/Nenner im Indikatorenkatalog), die die Veröffentlichung schützt"
        )
        refuse_en = (
            "only sums and differences of counts are possible; shares and densities are indicators "
            "(numerator/denominator in the indicator catalogue), which publication protects"
        )
    else:
        plus = [v for v, c in linear.items() if c > 0]
        minus = [v for v, c in linear.items() if c < 0]
        if not minus:
            return DerivedPlan(COUNT, (key, tuple(plus)))
        if len(plus) == 1:
            return DerivedPlan(COUNT, (plus[0], (key, *minus)))
        refuse_de = (
            "mehrere Plus- und Minusglieder bilden keine Summenbeziehung, die der Geheimhaltungsschutz "
            "kennt; bitte in zwei Schritten ableiten (erst die Summe, dann die Differenz)"
        )
        refuse_en = (
            "several plus and minus terms form no sum relation disclosure control knows; please derive "
            "in two steps (first the sum, then the difference)"
        )
    raise ConfigError(f"{where}: {expr.text!r}: {refuse_de}", f"{where}: {expr.text!r}: {refuse_en}")


def derive_frame(obs: pd.DataFrame, expr: Expression) -> pd.DataFrame:
    """The derived values per ``level``, ``unit_key`` and ``ref_date`` from long observations
    (``variable``, ``value``, ``status``); the columns an import expects, except ``variable``."""
    keys = ["level", "unit_key", "ref_date"]
    obs = obs[obs["variable"].isin(expr.variables)]
    if obs.empty:
        return pd.DataFrame(columns=[*keys, "value", "status"])
    long = obs.drop_duplicates([*keys, "variable"]).set_index([*keys, "variable"])
    names = list(expr.variables)
    values = pd.DataFrame(long["value"].unstack("variable")).reindex(columns=names)
    status = pd.DataFrame(long["status"].unstack("variable")).reindex(index=values.index, columns=names)
    result = expr.evaluate({v: values[v].to_numpy(dtype=float) for v in names})
    suppressed = (status.to_numpy() == "suppressed").any(axis=1)
    estimated = (status.to_numpy() == "estimated").any(axis=1)
    missing = values.isna().to_numpy().any(axis=1) | ~np.isfinite(result)
    out = values.index.to_frame(index=False)
    out["status"] = np.where(
        suppressed, "suppressed", np.where(missing, "missing", np.where(estimated, "estimated", "ok"))
    )
    out["value"] = np.where(suppressed | missing, np.nan, result)
    return out


def _describe(node: ast.AST) -> str:
    if type(node) in _SYMBOLS:
        return repr(_SYMBOLS[type(node)])
    try:
        return repr(ast.unparse(node))
    except Exception:  # an operator node without source form
        return type(node).__name__


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _linear(node: ast.expr) -> dict[str, float] | None:
    """Coefficients per variable ("" = constant term) of a linear expression, else None."""
    if isinstance(node, ast.Name):
        return {node.id: 1.0}
    if isinstance(node, ast.Constant):
        return {"": float(node.value)}  # type: ignore[arg-type]  # numbers only (parse_expression)
    if isinstance(node, ast.UnaryOp):
        inner = _linear(node.operand)
        if inner is None:
            return None
        sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
        return {k: sign * v for k, v in inner.items()}
    if not isinstance(node, ast.BinOp):
        return None
    left, right = _linear(node.left), _linear(node.right)
    if left is None or right is None:
        return None
    if isinstance(node.op, ast.Add | ast.Sub):
        sign = 1.0 if isinstance(node.op, ast.Add) else -1.0
        out = dict(left)
        for k, v in right.items():
            out[k] = out.get(k, 0.0) + sign * v
        return out
    constant = _constant(right) if isinstance(node.op, ast.Mult | ast.Div) else None
    if isinstance(node.op, ast.Mult) and constant is None and _constant(left) is not None:
        left, constant = right, _constant(left)
    if constant is None or (isinstance(node.op, ast.Div) and constant == 0.0):
        return None
    factor = constant if isinstance(node.op, ast.Mult) else 1.0 / constant
    return {k: v * factor for k, v in left.items()}


def _constant(terms: dict[str, float]) -> float | None:
    return terms[""] if set(terms) == {""} else None


def _evaluate(node: ast.expr, columns: Mapping[str, np.ndarray]) -> Any:
    if isinstance(node, ast.Name):
        return columns[node.id]
    if isinstance(node, ast.Constant):
        return float(node.value)  # type: ignore[arg-type]  # numbers only (parse_expression)
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, columns)
        return -value if isinstance(node.op, ast.USub) else value
    assert isinstance(node, ast.BinOp)
    left, right = _evaluate(node.left, columns), _evaluate(node.right, columns)
    if isinstance(node.op, ast.Add):
        return left + right
    if isinstance(node.op, ast.Sub):
        return left - right
    if isinstance(node.op, ast.Mult):
        return left * right
    return left / right
