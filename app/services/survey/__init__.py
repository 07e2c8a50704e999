"""The follow-up survey after each meeting.

`invitations` finds whom a survey link was made for and where their survey stands; `answering` shows the
program's questions and keeps the answers; `another_group` is the "sorry we missed you" path for people
who registered but never joined; `questions` keeps the program's own questions as a coordinator edits them;
`results` tallies what the answers say. Answers and questions are checked first, by
`app.inputs.survey_answers` and `app.inputs.survey_questions` (which also says how a program's questions
are kept). Its emails are kinds in `app.messages.kinds` (survey, survey reminder, missed you).
"""
