"""Wires of the circuit's box plan (:func:`symgrad.render.layout.plan`): each wire's path
between columns, on a free lane where it skips columns, and points along a path for the
geometric tests."""

from __future__ import annotations

LANE_PX = 5  # smallest distance between two long wires running side by side


def route_wires(
    wires: list[dict], column: dict, span: dict, bands: dict, top: float = 0.0
) -> list[float]:
    """Give each wire its path (``pieces`` and SVG ``d``); returns the heights of the lanes.

    A wire leaves its source's cell horizontally to the column's right edge, bends only in
    the empty gaps between columns, and enters its target's cell horizontally at its port.
    A wire that skips columns runs through them on a lane: a height that lies in no cell of
    any column it crosses (the plan stacks cells with a gap between them) and not
    within :data:`LANE_PX` of another lane there, and not above ``top``. So no wire crosses a
    gate or a label.
    """
    used: list[tuple[float, float, float]] = []
    for w in wires:
        cs, ct = column[w["source"]], column[w["target"]]
        x1, y1, x2, y2 = w["x1"], w["y1"], w["x2"], w["y2"]
        xa, xd = span[cs][1], min(span[ct][0], x2)
        if ct - cs <= 1:
            middle = (xa + xd) / 2
            pieces = [
                ("L", (x1, y1), (xa, y1)),
                ("C", (xa, y1), (middle, y1), (middle, y2), (xd, y2)),
                ("L", (xd, y2), (x2, y2)),
            ]
        else:
            xb, xc = span[cs + 1][0], span[ct - 1][1]
            crossed = [band for c in range(cs + 1, ct) for band in bands.get(c, [])]
            lane = _lane(y1, y2, crossed, [u for u in used if u[1] < xc and xb < u[2]], top)
            used.append((lane, xb, xc))
            m1, m2 = (xa + xb) / 2, (xc + xd) / 2
            pieces = [
                ("L", (x1, y1), (xa, y1)),
                ("C", (xa, y1), (m1, y1), (m1, lane), (xb, lane)),
                ("L", (xb, lane), (xc, lane)),
                ("C", (xc, lane), (m2, lane), (m2, y2), (xd, y2)),
                ("L", (xd, y2), (x2, y2)),
            ]
        w["pieces"] = pieces
        w["d"] = f"M{x1:.1f},{y1:.1f} " + " ".join(
            "L{:.1f},{:.1f}".format(*p[2])
            if p[0] == "L"
            else "C{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}".format(*p[2], *p[3], *p[4])
            for p in pieces
        )
    return [u[0] for u in used]


def _lane(y1: float, y2: float, crossed: list, used: list, top: float) -> float:
    """The free height nearest to both ends of a long wire (see :func:`route_wires`)."""
    margin = 3.0

    def free(y: float) -> bool:
        return (
            y >= top
            and all(not (top - margin < y < bottom + margin) for top, bottom in crossed)
            and all(abs(y - u[0]) >= LANE_PX for u in used)
        )

    candidates = [y1, y2]
    for top, bottom in crossed:
        for k in range(4):
            candidates += [top - margin - 1 - k * LANE_PX, bottom + margin + 1 + k * LANE_PX]
    best = [y for y in candidates if free(y)]
    if best:
        return min(best, key=lambda y: (abs(y - y1) + abs(y - y2), y))
    y = max([b for _, b in crossed] + [y1, y2]) + margin + 1
    while not free(y):
        y += LANE_PX
    return y


def wire_points(wire: dict, per_piece: int = 16) -> list[tuple[float, float]]:
    """Points along a wire's path (for the geometric tests)."""
    points = []
    for piece in wire["pieces"]:
        for k in range(per_piece + 1):
            t = k / per_piece
            if piece[0] == "L":
                (ax, ay), (bx, by) = piece[1], piece[2]
                points.append((ax + (bx - ax) * t, ay + (by - ay) * t))
            else:
                p0, p1, p2, p3 = piece[1:]
                c = [(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3]
                points.append(
                    (
                        sum(ci * p[0] for ci, p in zip(c, (p0, p1, p2, p3))),
                        sum(ci * p[1] for ci, p in zip(c, (p0, p1, p2, p3))),
                    )
                )
    return points
