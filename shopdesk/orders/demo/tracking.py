"""Tracking numbers in each carrier's real format, unique per (carrier, sequence number).

A sequence number n is spread over the digit space with an affine bijection
(n * multiplier + offset) mod 10**k, so numbers look random but never collide.
"""

from shopdesk.orders.states import Carrier

_MULTIPLIER = 48_271  # coprime with 10: the map below is a bijection on [0, 10**k)
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def _spread(n: int, digits: int, offset: int) -> str:
    space = 10**digits
    return f"{(n * _MULTIPLIER + offset) % space:0{digits}d}"


def s10_check_digit(serial: str) -> int:
    """The UPU S10 check digit of an 8-digit serial (EMS numbers such as EA123456785CN)."""
    total = sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def tracking_number(carrier: str, n: int, *, offset: int = 0) -> str:
    """Carrier formats: SF + 13 digits, ZTO 14 digits starting 7, YT + 13 digits,
    JDVA + 11 digits, EMS as UPU S10 (2 letters, 8 digits, check digit, CN)."""
    if carrier == Carrier.SF:
        return "SF" + _spread(n, 13, offset)
    if carrier == Carrier.ZTO:
        return "7" + _spread(n, 13, offset)
    if carrier == Carrier.YTO:
        return "YT" + _spread(n, 13, offset)
    if carrier == Carrier.JD:
        return "JDVA" + _spread(n, 11, offset)
    if carrier == Carrier.EMS:
        serial = _spread(n, 8, offset)
        return f"E{'ABCDEFGHJK'[n // 10**8 % 10]}{serial}{s10_check_digit(serial)}CN"
    raise ValueError(f"No demo tracking format for carrier {carrier!r}.")
