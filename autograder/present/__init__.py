"""presentation: text, JSON, CSV and feedback pages; decides nothing; never imports pipeline, course, execute or cli;
jinja2 only in present.feedback.

  text.py      the student's checklist, the batch table, the evidence listing (standard library only)
  csv.py       a grade report as CSV (standard library only)
  progress.py  a progress bar on stderr for long batches (standard library only)
  roster.py    the round's students a report does not grade, for the feedback pages (standard library only)
  feedback/    feedback pages per student and a class overview (jinja2, markupsafe)
"""
