"""The report spine: run a parameterised notebook with papermill, render it as HTML without
code and without any network reference, record the run, and keep an index of every report.

No domain is named here; domains list their notebooks on their ``Domain`` record.
"""
