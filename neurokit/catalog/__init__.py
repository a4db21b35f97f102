"""The catalog: the book's data sets by name, each a loader of the real on-disk format plus a simulator that
writes that format (:class:`~neurokit.catalog._base.Dataset`).

One module per data set, so that code using one data set imports only its simulator and loader::

    from neurokit.catalog import algonauts2021
    root = algonauts2021.ensure("embedded")          # simulates on first use, then reuses
    data = algonauts2021.load("embedded", subjects=["sub01"])

:mod:`neurokit.catalog.registry` looks them up by name (``ensure("vist_retina", "embedded")``), for the command
line and for code that takes a data set's name as a parameter.
"""
