"""Display rupees the Indian way. Arithmetic stays in raw rupees; this is for display only."""

from __future__ import annotations

import math

LAKH = 100_000
CRORE = 10_000_000


def group_indian(whole: int) -> str:
    """12345678 -> '1,23,45,678' (last three digits, then groups of two)."""
    digits = str(abs(whole))
    head, tail = digits[:-3], digits[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    text = ",".join([*groups, tail]) if groups else tail
    return f"-{text}" if whole < 0 else text


def format_inr(rupees: float) -> str:
    """₹X.XX Cr from one crore, ₹X.XX L from one lakh, ₹X,XX,XXX below that."""
    if rupees is None or not math.isfinite(rupees):
        return "—"
    sign = "-" if rupees < 0 else ""
    value = abs(rupees)
    if value >= CRORE:
        return f"{sign}₹{value / CRORE:,.2f} Cr"
    if value >= LAKH:
        return f"{sign}₹{value / LAKH:.2f} L"
    return f"{sign}₹{group_indian(round(value))}"
