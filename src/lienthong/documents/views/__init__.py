"""Pages of the documents app (issue #4, scope 9), split by sub-domain.

``dashboard`` (the clerk's, specialist's and leader's daily pages), ``outgoing`` (the
document page, drafting to issuing), ``incoming`` (registering, assigning, handling) and
``registers`` (the legal registers as a page, XLSX and PDF). Views stay thin (STYLE habit
7): every id from a request is resolved through a selector restricted to the person
(out of reach answers 404, habit 6), and every write calls one service.
"""
