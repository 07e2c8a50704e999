"""What people and other sites may send us, checked in one place: one kit, and one module per kind of input.

The kit is `fields` (a reader that checks submitted values field by field, and `InvalidInput`, the one error
that carries every problem at once, by field) and `rules` (the checks fields share). Each other module turns
one kind of input into a frozen, typed value: `registration` (the sign-up form, the JSON API, self-service),
`program_settings`, `conditions`, `hosts`, `survey_questions` and `survey_answers`; `neutral_title` and
`codes` hold the rules on what a program's names may say and the codes made from names. The form adapters
in `app.forms` turn HTML fields into the plain values these take; the JSON API hands them its body as sent.
"""
