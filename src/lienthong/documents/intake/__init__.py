"""The intake of scanned paper documents (issue #7 scope 1): an ordered chain of small
steps, each able to stop the intake with a clear reason (``contract``).

``pipeline.intake_run`` runs the chain on one file; the steps are in ``steps``. This
first part makes a searchable PDF/A-2b with a Vietnamese text layer from a scan and
refuses what is not one; linking to the register, de-duplication and the sealed
electronic copy come next (see the issue).
"""
