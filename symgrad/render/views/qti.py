"""Homework as QTI content packages, for LMSs other than Moodle: ``qti12.zip`` (QTI 1.2, the
"QTI .zip file" Canvas imports) and ``qti21.zip`` (QTI 2.1: OpenOLAT, ILIAS, Inspera, ...).

Both carry the same questions, blanks, marks and tolerances as ``moodle.xml``: they are
built from the same exercise contexts (made for ``html``), so question text has the set's
instructions and precision rule and never a seed or a command.

* QTI 1.2 (Canvas): one assessment (a quiz) per version. An exercise is a
  ``text_only_question`` with its prompt, followed by one ``numerical_question`` per blank
  worth the blank's marks, accepting ``value ± tolerance`` (``vargte``/``varlte``). Canvas's
  numerical questions have no partial credit, so Moodle's partial-credit mistakes are not
  offered there.
* QTI 2.1: one ``assessmentItem`` per exercise and version, a ``textEntryInteraction`` of
  base type float per blank, and response processing that adds the blank's marks when
  ``equal`` holds with ``toleranceMode="absolute"``, or its fraction of them for a
  partial-credit mistake (as Moodle does); plus one ``assessmentTest`` per version.

Packaging uses the standard library's :mod:`zipfile`: a content package is a zip of a few
XML files, and writing it ourselves keeps it byte-identical from run to run (sorted entries,
fixed timestamps). No maintained Python library covers both QTI versions' packaging better.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Collection
from typing import Any, SupportsFloat

from ... import escape
from ..environment import render_template
from .exercise import phrases, phrases_for, user_text
from .moodle import blank_weight

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest zip timestamp: no build time leaks in
QTI_FORMATS = ("qti12", "qti21")


def zip_bytes(files: dict[str, str]) -> bytes:
    """A deterministic zip: entries sorted by name, fixed timestamps and permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix: the same bytes on every platform
            archive.writestr(info, files[name].encode("utf-8"))
    return buffer.getvalue()


def number(x: SupportsFloat) -> str:
    """A float as QTI and Canvas read it: plain decimal, up to 12 significant figures."""
    return f"{float(x):.12g}"


def _blanks(ex: dict) -> list[dict]:
    """Each blank's value, tolerance, bounds and marks (in points), as in moodle.xml."""
    out = []
    for n, a in enumerate(ex["answers"], 1):
        value, tol = float(a["value"]), float(a["tolerance"])
        marks = blank_weight(a) / 100
        out.append(
            {
                "n": n,
                "label": a["label"],
                "value": number(value),
                "tolerance": number(tol),
                "low": number(value - tol),
                "high": number(value + tol),
                "marks": number(marks),
                "alternatives": [
                    {"value": alt["value"], "score": number(marks * alt["fraction"] / 100)}
                    for alt in a["alternatives"]
                ],
            }
        )
    return out


def _header_html(version: dict, s: dict, instructions: str | None) -> str:
    who = f" · {version['student']}" if version["student"] else ""
    parts = [f"<p><em>{s['version']} {version['label']}{who}</em></p>"]
    if instructions:
        parts.append(f"<p>{instructions}</p>")
    parts.append(f"<p><em>{s['precision']}</em></p>")
    return "".join(parts)


def _versions(versions: list[dict], lang: str, instructions: str | None) -> list[dict]:
    """Per version: identifier, escaped label, and each exercise's identifiers and blanks."""
    s = phrases_for(phrases(lang), "html")
    text = user_text(instructions, "html") if instructions else None
    out = []
    for v_number, version in enumerate(versions, 1):
        v: dict[str, Any] = {  # a template's context
            "id": f"V{v_number:04d}",
            "label": user_text(version["label"], "html"),
            "student": user_text(version["student"], "html") if version["student"] else None,
        }
        v["header"] = _header_html(v, s, text)
        v["exercises"] = [
            {
                "id": f"{v['id']}E{e_number:02d}",
                "title": ex["title"],
                "prompt": ex["prompt"],
                "points": ex["points"],
                "ident": ex["id"],
                "blanks": _blanks(ex),
            }
            for e_number, ex in enumerate(version["items"], 1)
        ]
        for ex in v["exercises"]:
            ex["max"] = number(sum(float(b["marks"]) for b in ex["blanks"]))
        out.append(v)
    return out


def qti12_package(
    title: str,
    versions: list[dict],
    lang: str,
    instructions: str | None = None,
    built: list[dict] | None = None,
) -> bytes:
    """``qti12.zip``: an IMS content package with one QTI 1.2 assessment per version.

    ``versions``: dicts with ``label``, ``student`` (or None) and ``items``, the exercise
    contexts made for ``html`` (:func:`~.exercise.exercise_context`). ``built``: their
    packaging contexts when the caller has them already (:func:`qti_files` makes them once
    for both packages).
    """
    files = {}
    built = _versions(versions, lang, instructions) if built is None else built
    for v in built:
        for ex in v["exercises"]:
            ex["prompt_html"] = escape.cdata(
                f"{v['header']}<h4>{ex['title']}</h4><p>{ex['prompt']}</p>"
            )
            for b in ex["blanks"]:
                b["html"] = escape.cdata(f"<p>{ex['title']}: {b['label']} = ?</p>")
        files[f"{v['id']}/{v['id']}.xml"] = render_template(
            "qti12.xml.j2", v=v, title=escape.xml(f"{title} · {v['label']}")
        )
    files["imsmanifest.xml"] = render_template(
        "qti12-manifest.xml.j2", versions=built, title=escape.xml(title)
    )
    return zip_bytes(files)


def qti21_package(
    title: str,
    versions: list[dict],
    lang: str,
    instructions: str | None = None,
    built: list[dict] | None = None,
) -> bytes:
    """``qti21.zip``: QTI 2.1 items (one per exercise and version), one assessment test per
    version, and an ``imsmanifest.xml`` listing every item and test as a resource.
    ``built`` as for :func:`qti12_package`."""
    files = {}
    built = _versions(versions, lang, instructions) if built is None else built
    for v in built:
        for ex in v["exercises"]:
            files[f"items/{ex['id']}.xml"] = render_template(
                "qti21-item.xml.j2", v=v, ex=ex, title=escape.xml(f"{ex['ident']} {v['label']}")
            )
        files[f"tests/{v['id']}.xml"] = render_template(
            "qti21-test.xml.j2", v=v, title=escape.xml(f"{title} · {v['label']}")
        )
    files["imsmanifest.xml"] = render_template(
        "qti21-manifest.xml.j2", versions=built, title=escape.xml(title)
    )
    return zip_bytes(files)


def qti_files(
    formats: Collection[str],
    title: str,
    versions: list,
    results: list,
    lang: str,
    instructions: str | None = None,
) -> dict[str, bytes]:
    """The QTI packages ``formats`` asks for, by file name (nothing when it asks for none).

    ``versions`` are the set's versions (``label``, ``name``), ``results`` their built
    outputs, whose ``lms`` holds the exercise contexts made for ``html``.
    """
    makers = {"qti12": qti12_package, "qti21": qti21_package}
    wanted = [fmt for fmt in QTI_FORMATS if fmt in formats]
    if not wanted:
        return {}
    lms = [{"label": v.label, "student": v.name, "items": r.lms} for v, r in zip(versions, results)]
    built = _versions(lms, lang, instructions)  # once for both (QTI 1.2 only adds keys)
    return {f"{fmt}.zip": makers[fmt](title, lms, lang, instructions, built) for fmt in wanted}
