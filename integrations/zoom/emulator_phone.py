"""What the emulator answers about joining by phone: the account's dial-in numbers and a meeting's numeric
phone passcode, in the shapes of Zoom's meeting answer (`settings.global_dial_in_numbers`, `h323_password`).

The numbers are synthetic but well formed, each valid for its country; where a country sets numbers aside for
fiction (US 555-01xx, GB 020 7946 0xxx, FR 01 99 00 xx xx), they come from that range.
"""

import secrets
from typing import Any

PHONE_PASSCODE_DIGITS = 6

# (country, country_name, city, number, type), in the order Zoom lists them: the account's home country first.
DIAL_IN_NUMBERS: tuple[tuple[str, str, str, str, str], ...] = (
    ("US", "US", "New York", "+1 646 555 0123", "toll"),
    ("US", "US", "Chicago", "+1 312 555 0145", "toll"),
    ("US", "US", "", "+1 800 555 0199", "tollfree"),
    ("ES", "Spain", "Madrid", "+34 910 000 123", "toll"),
    ("MX", "Mexico", "Mexico City", "+52 55 1000 0123", "toll"),
    ("GB", "United Kingdom", "London", "+44 20 7946 0123", "toll"),
    ("FR", "France", "Paris", "+33 1 99 00 01 23", "toll"),
    ("BR", "Brazil", "Sao Paulo", "+55 11 3000 0123", "toll"),
    ("CN", "China", "Beijing", "+86 10 5000 0123", "toll"),
)
DIAL_IN_COUNTRIES = tuple(dict.fromkeys(country for country, *_ in DIAL_IN_NUMBERS))


def dial_in_settings(countries: list[str] | None = None) -> dict[str, Any]:
    """The meeting's `global_dial_in_countries` and `global_dial_in_numbers`: the countries a create or update
    asked for (those the account has numbers in), else every country the account has."""
    chosen = [country for country in countries or DIAL_IN_COUNTRIES if country in DIAL_IN_COUNTRIES]
    return {
        "global_dial_in_countries": chosen,
        "global_dial_in_numbers": [
            {"country": country, "country_name": name, "city": city, "number": number, "type": kind}
            for country, name, city, number, kind in DIAL_IN_NUMBERS
            if country in chosen
        ],
    }


def new_phone_passcode() -> str:
    """The digits phone joiners key in, which Zoom makes for a meeting whose passcode has letters."""
    return "".join(secrets.choice("0123456789") for _ in range(PHONE_PASSCODE_DIGITS))
