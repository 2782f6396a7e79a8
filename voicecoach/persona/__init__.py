"""Persona clients: file format and validation (``schema``), the agitation model (``state``, pure)
and what the persona says and how it sounds (``reply``, seeded)."""
